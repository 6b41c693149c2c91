"""The mirror converges in the topology people deploy, with everything going wrong at once.

PostgreSQL; a Redis of the test's own as broker and shared rate limiter; the Cal.com emulator
as a process of its own, its faults set over HTTP (503 15 %, lost responses 12 %, dropped
connections 5 %, timeouts 3 %, 100 ms latency on the rest); two Celery workers (prefork, three
children each) and beat, started as `celery -A phasebook ...`. The test books, moves and
cancels a few hundred appointments through the HTTP API while the faults are on, SIGKILLs a
worker (its whole process group) every few seconds and starts it again, and stops Redis once
with bookings made meanwhile. Then the faults are cleared and within CONVERGE_SECONDS:
every live staff-required phase has exactly one live Cal.com booking with its start, end and
event type; cancelled phases have none; no duplicates, no orphans; the outbox holds nothing
pending, running or failed. The figures are printed.

Run it alone with `pytest -m topology -s` (PostgreSQL pass: DATABASE_URL=postgres://...).
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from phasebook.booking.models import Appointment, AppointmentPhase, AppointmentStatus, SyncStatus
from phasebook.calcom.connection import client_for
from phasebook.calcom.models import CalcomConnection, CalcomEventMap
from phasebook.calcom.provisioning import provision
from phasebook.calsync.models import PhaseSyncTask, TaskStatus
from phasebook.calsync.reconcile import reconcile_company
from phasebook.celery import app as celery_app
from tests.factories import make_staff, next_weekday
from tests.support.api import ApiClient
from tests.support.processes import (
    OwnRedis,
    Service,
    celery_command,
    free_port,
    use_broker,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.topology]

TEAM_ID = 501
APPOINTMENTS = 240
RESCHEDULES = 60
CANCELS = 50
DURING_OUTAGE = 12
OUTAGE_SECONDS = 8
# The faults stay on this long; the operations are spread over the first OPERATIONS_SECONDS.
FAULT_WINDOW_SECONDS = 90
OPERATIONS_SECONDS = 40
# A worker is killed at most this often, and only while both workers are up and consuming.
KILL_EVERY_SECONDS = 4
CONVERGE_SECONDS = 180
FAULTS = [("server_error", 0.15), ("lose_response", 0.12), ("drop", 0.05), ("timeout", 0.03)]
LATENCY_MS = 100
SHIFTS = [(9, 0, "colour"), (9, 30, "cut"), (12, 0, "colour"), (12, 30, "cut"), (15, 0, "cut")]
MOVE = timedelta(weeks=5)
PROBE_ENV = {
    # A budget no drill exhausts (Cal.com's is 120/min per key on standard plans), calls
    # that time out after 2 s instead of 15, beat's schedule compressed 6x and 30x.
    "PHASEBOOK_CALCOM_REQUESTS_PER_MINUTE": "100000",
    "PHASEBOOK_CALCOM_READ_TIMEOUT_SECONDS": "2",
    "PHASEBOOK_SYNC_SWEEP_SECONDS": "5",
    "PHASEBOOK_RECONCILE_SECONDS": "30",
    # Retries wait at most 30 s (production: 600 s), so the drill ends in minutes.
    "PHASEBOOK_SYNC_RETRY_CAP_SECONDS": "30",
    # The emulator listens on loopback over http, which only this setting allows.
    "PHASEBOOK_CALCOM_ALLOW_LOOPBACK": "1",
}


@dataclass
class Figures:
    operations: Counter[str] = field(default_factory=Counter)
    kills: int = 0
    workers_killed: int = 0
    pool_processes_killed: int = 0
    next_kill: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(15))
    leases_held_at_kills: int = 0
    outage_answers: list[int] = field(default_factory=list)
    outage_ids: list[str] = field(default_factory=list)


@dataclass
class Topology:
    redis: OwnRedis
    emulator_url: str
    workers: list[Service]
    others: list[Service]

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(
            method, f"{self.emulator_url}/_emulator/{path}", json=body, timeout=10
        )
        assert response.is_success, response.text
        return response.json().get("data")

    def logs(self) -> str:
        return "\n".join(service.tail() for service in [*self.workers, *self.others])


def _database_url() -> str:
    """The test database, which the workers must use too."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _environment(redis_url: str, data_dir: Path) -> dict[str, str]:
    import os

    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST")}
    env |= PROBE_ENV | {
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": redis_url,
        "PHASEBOOK_SECRET_KEY": settings.SECRET_KEY,
        "PHASEBOOK_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "phasebook.settings",
    }
    if settings.PHASEBOOK_ENCRYPTION_KEY:
        env["PHASEBOOK_ENCRYPTION_KEY"] = settings.PHASEBOOK_ENCRYPTION_KEY
    return env


def _celery(name: str, arguments: list[str], env: dict[str, str], tmp: Path) -> Service:
    command = celery_command(*arguments)
    return Service(name, command, env, tmp / f"{name}.log", tmp, ready_line=" ready.")


@pytest.fixture
def topology(tmp_path: Path, settings: Any) -> Iterator[Topology]:
    redis = OwnRedis()
    redis.start()
    env = _environment(redis.url, tmp_path / "var")
    emulator_port = free_port()
    emulator = Service(
        "emulator",
        [
            sys.executable,
            "-m",
            "phasebook.calcom_emulator.cli",
            "--port",
            str(emulator_port),
            "--rate-limit",
            "1000000",
            "--seed",
            "15",
        ],
        env,
        tmp_path / "emulator.log",
        tmp_path,
    )
    workers = [
        _celery(
            f"worker{n}",
            [
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                "3",
                "--hostname",
                f"topology{n}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env,
            tmp_path,
        )
        for n in (1, 2)
    ]
    beat = _celery("beat", ["beat", "--schedule", str(tmp_path / "beat-schedule")], env, tmp_path)
    settings.CELERY_BROKER_URL = redis.url
    # As in production, the rate limits count in the broker's Redis (and in the database
    # while it is stopped).
    settings.PHASEBOOK_RATE_LIMIT_REDIS_URL = redis.url
    settings.PHASEBOOK_CALCOM_REQUESTS_PER_MINUTE = 100000
    broker_before = celery_app.conf.broker_url
    use_broker(redis.url)
    topology = Topology(redis, f"http://127.0.0.1:{emulator_port}", workers, [emulator, beat])
    try:
        for service in [emulator, *workers, beat]:
            service.start()
        wait_until(lambda: _answers(topology.emulator_url), "the emulator")
        yield topology
    finally:
        for service in [*workers, beat, emulator]:
            service.kill()
        redis.stop()
        use_broker(broker_before)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/_emulator/faults", timeout=1).is_success
    except httpx.HTTPError:
        return False


def _connect(topology: Topology, salon: SimpleNamespace, stylists: list[Any]) -> None:
    """As an ops engineer would, over HTTP: users, the owner's team role, then provisioning."""
    owner = topology.admin("POST", "users", {"username": "topology-owner"})
    topology.admin("POST", f"teams/{TEAM_ID}/memberships", {"userId": owner["id"], "role": "OWNER"})
    for stylist in stylists:
        user = topology.admin("POST", "users", {"username": f"topology-{stylist.name.lower()}"})
        stylist.calcom_user_id = user["id"]
        stylist.save(update_fields=["calcom_user_id"])
        for service in (salon.colour, salon.cut):
            service.staff.add(stylist)
    calcom = CalcomConnection(
        company=salon.company, base_url=topology.emulator_url, team_id=TEAM_ID
    )
    calcom.api_key = owner["apiKey"]
    calcom.save()
    with client_for(salon.company) as client:
        provision(salon.company, client, TEAM_ID)
    assert "Alle Phasen" in _calcom_check()


def _calcom_check() -> str:
    out = StringIO()
    call_command("calcom_check", "--company", "salon-a", stdout=out)
    return out.getvalue()


def _faults_on(topology: Topology) -> None:
    for mode, probability in FAULTS:
        topology.admin("POST", "faults", {"mode": mode, "count": None, "probability": probability})
    # The first rule that fires wins: latency last, for the calls no fault took.
    topology.admin("POST", "faults", {"mode": "latency", "count": None, "latency_ms": LATENCY_MS})


def _maybe_kill(topology: Topology, figures: Figures) -> None:
    """When it is time, SIGKILL a worker that is up: every fourth time the whole worker
    (started again: a host or container dying; only while the other one is up), else one of
    its pool processes, maybe mid-task (the worker forks a new one: the OOM killer)."""
    if time.monotonic() < figures.next_kill:
        return
    ready = [worker for worker in topology.workers if worker.is_ready()]
    whole = figures.kills % 4 == 3
    if not ready or (whole and len(ready) < len(topology.workers)):
        return
    victim = ready[figures.kills % len(ready)]
    figures.leases_held_at_kills += PhaseSyncTask.objects.filter(
        status=TaskStatus.RUNNING, leased_until__gt=timezone.now()
    ).count()
    if whole:
        victim.kill()
        victim.start()
        figures.workers_killed += 1
    elif victim.kill_a_child(figures.rng):
        figures.pool_processes_killed += 1
    else:
        return
    figures.kills += 1
    figures.next_kill = time.monotonic() + KILL_EVERY_SECONDS


def _keep_pace(topology: Topology, figures: Figures, until: float) -> None:
    """Wait until `until` (monotonic), killing a worker whenever one is due."""
    while True:
        _maybe_kill(topology, figures)
        left = until - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.5))


def _slots(salon: SimpleNamespace, stylists: list[Any]) -> Iterator[tuple[Any, Any, Any]]:
    now = timezone.now()
    for day in range(APPOINTMENTS):
        week, weekday = divmod(day, 6)
        for stylist in stylists:
            for hour, minute, kind in SHIFTS:
                start = next_weekday(now, weekday=weekday, hour=hour, minute=minute, weeks=week + 1)
                yield start, stylist, salon.colour if kind == "colour" else salon.cut


def _book(api: ApiClient, slot: tuple[Any, Any, Any], number: int) -> Any:
    start, stylist, service = slot
    return api.post(
        "/appointments",
        {
            "service_id": service.pk,
            "start": start.isoformat(),
            "staff_id": str(stylist.pk),
            "customer": {"name": f"Kundin {number}", "email": f"kundin{number}@example.com"},
        },
    )


def _drive(
    topology: Topology,
    api: ApiClient,
    salon: SimpleNamespace,
    stylists: list[Any],
    figures: Figures,
) -> None:
    """Book, move and cancel, spread over OPERATIONS_SECONDS, then let the workers retry
    until the fault window ends; kill workers all along; stop Redis once, mid-booking."""
    window_ends = time.monotonic() + FAULT_WINDOW_SECONDS
    slots = _slots(salon, stylists)
    pace = OPERATIONS_SECONDS / (APPOINTMENTS + RESCHEDULES + CANCELS)
    started = time.monotonic()
    booked: list[str] = []
    for number in range(APPOINTMENTS):
        response = _book(api, next(slots), number)
        assert response.status_code == 201, response.content
        booked.append(response.json()["id"])
        figures.operations["booked"] += 1
        if number == APPOINTMENTS // 2:
            _broker_outage(topology, api, slots, figures)
            started += OUTAGE_SECONDS
        _keep_pace(topology, figures, started + (number + 1) * pace)
    rng = random.Random(15)
    for index, appointment_id in enumerate(rng.sample(booked, RESCHEDULES + CANCELS)):
        if index < RESCHEDULES:
            appointment = Appointment.objects.get(pk=appointment_id)
            moved = api.post(
                f"/appointments/{appointment_id}/reschedule",
                {"start": (appointment.start + MOVE).isoformat()},
            )
            assert moved.status_code == 200, moved.content
            figures.operations["rescheduled"] += 1
        if index >= RESCHEDULES or index % 3 == 0:
            cancelled = api.post(f"/appointments/{appointment_id}/cancel", {"reason": "Chaos"})
            assert cancelled.status_code == 200, cancelled.content
            figures.operations["cancelled"] += 1
        _keep_pace(topology, figures, started + (APPOINTMENTS + index + 1) * pace)
    _keep_pace(topology, figures, window_ends)


def _broker_outage(
    topology: Topology, api: ApiClient, slots: Iterator[Any], figures: Figures
) -> None:
    topology.redis.stop()
    for number in range(DURING_OUTAGE):
        response = _book(api, next(slots), 10_000 + number)
        figures.outage_answers.append(response.status_code)
        figures.outage_ids.append(response.json().get("id", ""))
        figures.operations["booked during the broker outage"] += 1
    time.sleep(OUTAGE_SECONDS)
    topology.redis.start()


def _mirror_counts(topology: Topology) -> Counter[str]:
    """Our database against everything the emulator holds (its admin API is never faulted)."""
    maps = {
        (m.service_id, m.segment_key, m.staff_id): m.event_type_id
        for m in CalcomEventMap.objects.all()
    }
    live_by_phase: dict[str, list[dict[str, Any]]] = {}
    for booking in topology.admin("GET", "bookings"):
        if booking["status"] == "accepted":
            phase_id = (booking.get("metadata") or {}).get("phasebook_phase_id")
            live_by_phase.setdefault(phase_id, []).append(booking)
    counts: Counter[str] = Counter()
    expected: set[str] = set()
    phases = AppointmentPhase.objects.filter(staff_required=True).select_related("appointment")
    for phase in phases:
        bookings = live_by_phase.get(str(phase.pk), [])
        if phase.appointment.status != AppointmentStatus.BOOKED:
            counts["cancelled phases"] += 1
            counts["cancelled phases with a live booking"] += bool(bookings)
            continue
        expected.add(str(phase.pk))
        counts["live phases"] += 1
        counts["duplicates"] += max(0, len(bookings) - 1)
        event_type = maps[(phase.appointment.service_id, phase.segment_key, phase.staff_id)]
        exact = [
            b
            for b in bookings
            if (_instant(b["start"]), _instant(b["end"]), b["eventTypeId"])
            == (phase.start_time, phase.end_time, event_type)
        ]
        counts["live phases with exactly one right booking"] += len(bookings) == len(exact) == 1
    counts["orphans"] = sum(len(v) for k, v in live_by_phase.items() if k not in expected)
    counts["live Cal.com bookings"] = sum(len(v) for v in live_by_phase.values())
    return counts


def _instant(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _converged(topology: Topology) -> tuple[bool, Counter[str], Counter[str]]:
    outbox = Counter(PhaseSyncTask.objects.values_list("status", flat=True))
    counts = _mirror_counts(topology)
    done = (
        outbox[TaskStatus.PENDING] + outbox[TaskStatus.RUNNING] + outbox[TaskStatus.FAILED] == 0
        and counts["live phases with exactly one right booking"] == counts["live phases"]
        and counts["duplicates"] + counts["orphans"] == 0
        and counts["cancelled phases with a live booking"] == 0
    )
    return done, counts, outbox


def _wait_for_convergence(topology: Topology) -> tuple[float, Counter[str], Counter[str]]:
    started = time.monotonic()
    while True:
        done, counts, outbox = _converged(topology)
        waited = time.monotonic() - started
        if done or waited > CONVERGE_SECONDS:
            return waited, counts, outbox
        time.sleep(2)


@pytest.mark.django_db(transaction=True)
def test_the_mirror_converges_with_real_workers_killed_a_broker_outage_and_faulty_calcom(
    topology: Topology,
    salon: SimpleNamespace,
    api: ApiClient,
) -> None:
    started = time.monotonic()
    figures = Figures()
    stylists = [
        salon.anna,
        salon.ben,
        make_staff(salon.company, "Carla"),
        make_staff(salon.company, "Dora"),
    ]
    # One client books a few hundred appointments in minutes, as a load test would: the
    # salon's write limit (default 20 a minute) is raised for it, as its owner would.
    salon.company.client_writes_per_minute = 10_000
    salon.company.save(update_fields=["client_writes_per_minute"])
    _connect(topology, salon, stylists)
    _faults_on(topology)

    _drive(topology, api, salon, stylists, figures)
    calls = topology.admin("GET", "faults")  # what the faulty window saw
    topology.admin("DELETE", "faults")
    waited, counts, outbox = _wait_for_convergence(topology)
    calls_after = topology.admin("GET", "faults")["requests"] - calls["requests"]
    failed = sum(calls["fired"].get(mode, 0) for mode, _ in FAULTS)

    print(
        f"\ntopology: {dict(figures.operations)}; {figures.kills} SIGKILLs "
        f"({figures.workers_killed} whole workers, {figures.pool_processes_killed} pool "
        f"processes mid-task) while {figures.leases_held_at_kills} leases were held in all; "
        f"Redis stopped once for {OUTAGE_SECONDS} s"
    )
    print(
        f"topology: {calls['requests']} Cal.com calls with the faults on, {failed} failed "
        f"({failed / max(calls['requests'], 1):.0%}; {calls['fired']}), {calls_after} after"
    )
    print(
        f"topology: converged {waited:.0f} s after the faults were cleared "
        f"(bound {CONVERGE_SECONDS} s), {time.monotonic() - started:.0f} s in all; "
        f"outbox {dict(outbox)}; {dict(counts)}"
    )
    assert waited <= CONVERGE_SECONDS, topology.logs()
    assert figures.outage_answers == [201] * DURING_OUTAGE
    assert counts["live phases with exactly one right booking"] == counts["live phases"] > 0
    assert counts["duplicates"] == counts["orphans"] == 0
    assert counts["cancelled phases with a live booking"] == 0
    assert counts["cancelled phases"] > 0
    assert set(outbox) == {TaskStatus.DONE}
    assert figures.kills >= 10
    assert figures.workers_killed >= 2
    assert figures.leases_held_at_kills > 0, "workers were killed while they synced"
    assert calls["requests"] >= 300
    assert failed / calls["requests"] >= 0.2
    outage = Appointment.objects.filter(pk__in=figures.outage_ids)
    assert outage.count() == DURING_OUTAGE
    assert set(outage.values_list("calcom_sync_status", flat=True)) <= {
        SyncStatus.SYNCED,
        SyncStatus.NOT_REQUIRED,
    }
    _key_without_team_role_changes_nothing(topology)


def _key_without_team_role_changes_nothing(topology: Topology) -> None:
    """The acceptance's last item, on the converged salon: demote the key's user."""
    connection_row = CalcomConnection.objects.get()
    users = httpx.get(
        f"{topology.emulator_url}/v2/me",
        timeout=10,
        headers={
            "Authorization": f"Bearer {connection_row.api_key}",
            "cal-api-version": "2024-08-13",
        },
    ).json()["data"]
    topology.admin(
        "POST", f"teams/{TEAM_ID}/memberships", {"userId": users["id"], "role": "MEMBER"}
    )
    before = list(PhaseSyncTask.objects.order_by("pk").values_list("pk", "generation", "status"))

    with pytest.raises(CommandError) as check:
        _calcom_check()
    report = reconcile_company(connection_row.company)

    assert "cannot list or cancel the team's bookings" in str(check.value)
    assert "cannot list or cancel the team's bookings" in report.refused
    assert report.appointments == set()
    after = list(PhaseSyncTask.objects.order_by("pk").values_list("pk", "generation", "status"))
    assert after == before
