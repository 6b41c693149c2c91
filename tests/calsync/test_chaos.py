"""Chaos drill: hundreds of appointments booked, moved and cancelled while a third of all Cal.com
calls fail in every way the emulator can fail, and workers die between a call and its record.

After the sweeper and the reconciler have run, Cal.com must mirror our database exactly: every
live staff-required phase has one live booking with its start, end and event type; no
duplicates, no orphans, nothing left of cancelled appointments. Deterministic: seeded faults,
seeded crashes, one phase at a time (so requests reach the fault plan in a fixed order) and a
fake clock for backoff and leases; no sleeps.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.models import Appointment, AppointmentPhase, AppointmentStatus
from phasebook.booking.services import (
    BookingRequest,
    book_appointment,
    cancel_appointment,
    reschedule_appointment,
)
from phasebook.calcom.client import CalcomClient, CalcomTimeouts
from phasebook.calcom.errors import CalcomError
from phasebook.calcom.models import CalcomConnection, CalcomEventMap
from phasebook.calcom_emulator import RunningEmulator
from phasebook.calcom_emulator.faults import FaultRule
from phasebook.calsync.env import ClientPool, RetryPolicy, SyncEnv
from phasebook.calsync.errors import AbandonJob
from phasebook.calsync.models import PhaseSyncTask, TaskStatus
from phasebook.calsync.plan import PhaseJob
from phasebook.calsync.reconcile import reconcile_company
from phasebook.calsync.sync import drain
from phasebook.salons.models import Company
from tests.factories import ACTOR, make_staff, next_weekday
from tests.support.clock import FakeClock
from tests.support.mirror import Mirror, connect_salon

APPOINTMENTS = 500
DAYS = 25  # Monday to Saturday, from next week on
# Each cut at :30 sits in the processing gap of the colour before it: the stylist is free.
SHIFTS = [(9, 0, "colour"), (9, 30, "cut"), (12, 0, "colour"), (12, 30, "cut"), (15, 0, "cut")]
MOVE = timedelta(weeks=5)
FAULT_PROBABILITY = {
    "server_error": 0.09,
    "drop": 0.09,
    "lose_response": 0.08,
    "rate_limit": 0.06,
    "timeout": 0.04,
}
CRASH_PROBABILITY = 0.03
MAX_RECONCILE_RUNS = 30
MAX_RECONCILE_ATTEMPTS = 300
# Short, so the injected hangs cost little; a spurious timeout on a loaded machine is just
# one more fault, which the drill tolerates by design.
CHAOS_TIMEOUTS = CalcomTimeouts(connect=1.0, read=0.15, write=1.0, pool=1.0)


@dataclass
class Tally:
    requests: int = 0
    faults: Counter[str] | None = None
    crashes: int = 0


def _count_faults(mirror: Mirror, tally: Tally, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = mirror.emulator.faults
    original = plan.pick
    tally.faults = Counter()

    def pick(method: str, path: str) -> FaultRule | None:
        rule = original(method, path)
        tally.requests += 1
        if rule is not None:
            tally.faults[rule.mode] += 1  # type: ignore[index]
        return rule

    monkeypatch.setattr(plan, "pick", pick)


def _chaos_env(clock: FakeClock, tally: Tally) -> SyncEnv:
    crash_rng = random.Random(99)

    def maybe_die(job: PhaseJob) -> None:
        if crash_rng.random() < CRASH_PROBABILITY:
            tally.crashes += 1
            raise AbandonJob

    def client_for(company: Company) -> CalcomClient:
        connection = CalcomConnection.objects.get(company=company)
        return CalcomClient(connection.base_url, connection.api_key, timeouts=CHAOS_TIMEOUTS)

    return SyncEnv(
        clock=clock,
        rng=random.Random(5),
        client_for=ClientPool(client_for),
        retry=RetryPolicy(max_attempts=10),
        max_parallel=1,
        checkpoint=maybe_die,
        sleep=lambda seconds: None,
    )


def _work(env: SyncEnv, clock: FakeClock) -> None:
    """One pass of the workers and the sweeper, then time moves past leases and backoffs."""
    drain(env)
    clock.advance(minutes=11)


def _book_all(
    salon: SimpleNamespace, stylists: list[Any], env: SyncEnv, clock: FakeClock
) -> list[Appointment]:
    now = timezone.now()
    booked = []
    for day in range(DAYS):
        week, weekday = divmod(day, 6)
        for stylist in stylists:
            for hour, minute, kind in SHIFTS:
                if len(booked) == APPOINTMENTS:
                    return booked
                start = next_weekday(now, weekday=weekday, hour=hour, minute=minute, weeks=week + 1)
                service = salon.colour if kind == "colour" else salon.cut
                request = BookingRequest(
                    service.pk,
                    start,
                    CustomerDetails(f"Kundin {len(booked)}"),
                    staff_id=str(stylist.pk),
                )
                booked.append(book_appointment(salon.company, request, actor=ACTOR))
            if len(booked) % 50 == 0:
                _work(env, clock)
    return booked


def _move_and_cancel(
    salon: SimpleNamespace, booked: list[Appointment], env: SyncEnv, clock: FakeClock
) -> Counter[str]:
    rng = random.Random(11)
    done: Counter[str] = Counter()
    for index, appointment in enumerate(rng.sample(booked, 220)):
        if index < 120:
            reschedule_appointment(
                salon.company, appointment.pk, appointment.start + MOVE, actor=ACTOR
            )
            done["rescheduled"] += 1
            if index % 4 == 0:  # and back again: A → B → A
                reschedule_appointment(
                    salon.company, appointment.pk, appointment.start, actor=ACTOR
                )
                done["rescheduled back"] += 1
        if index % 3 == 0 or index >= 120:
            cancel_appointment(salon.company, appointment.pk, "Chaos", actor=ACTOR)
            done["cancelled"] += 1
        if index % 20 == 0:
            _work(env, clock)
    return done


def _converge(company: Company, env: SyncEnv, clock: FakeClock) -> int:
    """Sweep until the outbox is quiet, then reconcile until a run finds nothing to repair;
    returns the completed reconcile runs.

    A reconcile run makes many calls and a third of all calls fail, so most attempts stop
    at a failed call (as a beat-scheduled run would, to be tried again later): only the
    completed runs are bounded tightly.
    """
    runs = 0
    for _ in range(MAX_RECONCILE_ATTEMPTS):
        while PhaseSyncTask.objects.filter(
            status__in=[TaskStatus.PENDING, TaskStatus.RUNNING]
        ).exists():
            _work(env, clock)
        try:
            report = reconcile_company(company, env)
        except CalcomError:
            clock.advance(minutes=2)
            continue
        assert not report.refused, report.summary()
        runs += 1
        if report.is_clean and not PhaseSyncTask.objects.filter(status=TaskStatus.FAILED).exists():
            return runs
        if runs == MAX_RECONCILE_RUNS:
            break
        _work(env, clock)
    pytest.fail(f"Cal.com did not converge after {runs} completed reconcile runs")


def _mirror_counts(mirror: Mirror) -> dict[str, int]:
    """Compared in the emulator's memory, not over HTTP: the faults must not blur the check."""
    maps = {
        (m.service_id, m.segment_key, m.staff_id): m.event_type_id
        for m in CalcomEventMap.objects.all()
    }
    live_by_phase: dict[str, list[Any]] = {}
    for booking in mirror.live_bookings():
        live_by_phase.setdefault(booking.metadata.get("phasebook_phase_id"), []).append(booking)
    counts: Counter[str] = Counter()
    live_phases = AppointmentPhase.objects.filter(
        staff_required=True, appointment__status=AppointmentStatus.BOOKED
    ).select_related("appointment")
    expected = set()
    for phase in live_phases:
        expected.add(str(phase.pk))
        bookings = live_by_phase.get(str(phase.pk), [])
        counts["live phases"] += 1
        counts["duplicates"] += max(0, len(bookings) - 1)
        event_type = maps[(phase.appointment.service_id, phase.segment_key, phase.staff_id)]
        exact = [
            b
            for b in bookings
            if (b.start, b.end, b.event_type_id) == (phase.start_time, phase.end_time, event_type)
        ]
        counts["phases with exactly one matching booking"] += len(bookings) == len(exact) == 1
    counts["orphans"] = sum(len(v) for k, v in live_by_phase.items() if k not in expected)
    cancelled = AppointmentPhase.objects.filter(
        staff_required=True, appointment__status=AppointmentStatus.CANCELLED
    ).values_list("pk", flat=True)
    counts["cancelled phases with a live booking"] = sum(
        str(pk) in live_by_phase for pk in cancelled
    )
    counts["cancelled phases"] = len(cancelled)
    counts["live Cal.com bookings"] = len(mirror.live_bookings())
    return dict(counts)


def test_cal_com_converges_to_our_database_through_a_third_of_all_calls_failing(
    salon: SimpleNamespace,
    running_emulator: RunningEmulator,
    dispatched: list[Any],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started = time.monotonic()
    stylists = [
        salon.anna,
        salon.ben,
        make_staff(salon.company, "Carla"),
        make_staff(salon.company, "Dora"),
    ]
    mirror = connect_salon(running_emulator.emulator, running_emulator.url, salon.company, stylists)
    tally = Tally()
    _count_faults(mirror, tally, monkeypatch)
    for mode, probability in FAULT_PROBABILITY.items():
        mirror.emulator.inject_fault(mode, count=None, probability=probability)  # type: ignore[arg-type]
    env = _chaos_env(clock, tally)

    booked = _book_all(salon, stylists, env, clock)
    changes = _move_and_cancel(salon, booked, env, clock)
    reconcile_runs = _converge(salon.company, env, clock)
    counts = _mirror_counts(mirror)

    faults = tally.faults or Counter()
    failure_rate = sum(faults.values()) / tally.requests
    print(
        f"\nchaos: {len(booked)} appointments booked "
        f"({sum(a.service_id == salon.colour.pk for a in booked)} composite), {dict(changes)}"
    )
    print(
        f"chaos: {tally.requests} Cal.com calls, {failure_rate:.0%} failed {dict(faults)}, "
        f"{tally.crashes} workers killed mid-task, {reconcile_runs} reconcile runs, "
        f"{time.monotonic() - started:.1f} s"
    )
    print(f"chaos: {counts}")
    assert len(booked) == APPOINTMENTS
    assert failure_rate >= 0.30
    assert set(faults) == set(FAULT_PROBABILITY)
    assert tally.crashes > 0
    assert counts["phases with exactly one matching booking"] == counts["live phases"]
    assert counts["duplicates"] == 0
    assert counts["orphans"] == 0
    assert counts["cancelled phases with a live booking"] == 0
    assert counts["live Cal.com bookings"] == counts["live phases"]
