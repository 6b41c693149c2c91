"""Booking over HTTP: 48 clients through gunicorn on PostgreSQL, 16 through the demo on SQLite.

Every client is a thread with a keep-alive HTTP connection of its own that books cuts for
"any stylist" at random quarter hours of the salon's booking horizon, one request after the
other, as fast as the answers come; many requests collide. Measured per run:
successful bookings/s, the answers by status (201 booked, 409 taken, 422 not bookable),
latency p50 / p95 / max, and afterwards the stylist and customer overlaps by raw SQL
(must be 0). The yardstick, measured in the same run on the same database: the in-process
figure of bench/booking_throughput.py (the same clients served by a pool of worker
processes calling the booking service directly, no HTTP).

1. PostgreSQL: `gunicorn -c python:phasebook.gunicorn_conf phasebook.wsgi` as in
   production (README), `--workers` sync workers, the salon without Cal.com;
2. SQLite: `phasebook demo` as a new user runs it (uvicorn, the demo salon mirrored to the
   local Cal.com emulator), in a fresh data directory.
Goals (issue 15): p95 under 250 ms and at least 60 % of the in-process throughput with 48
clients on PostgreSQL; no request over 1 s with 16 clients on SQLite.

    uv run python bench/http_booking.py [--clients 48] [--sqlite-clients 16] [--seconds 20]
                                        [--workers 4] [--skip-sqlite] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from booking_throughput import _with_worker_pool
from common import DEFAULT_URL, REPO, demo_salon, reset, setup

DATABASE_URL = DEFAULT_URL + "_http"
STYLISTS = 10
DEMO_TOKEN = "pb_bench-http-booking-token"  # noqa: S105 - a throwaway token of the demo
# The clients share one token, and a salon allows a token 20 writes a minute (booking/limits.py):
# raised, as the salon's owner would for a load test, so that the run measures booking.
WRITES_PER_MINUTE = 1_000_000


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(seconds)

    def report(self, title: str, clients: int, seconds: float, yardstick: float | None) -> str:
        booked = self.statuses[201] / seconds
        ordered = sorted(self.latencies)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        lines = [
            title,
            f"  successful bookings/s: {booked:.1f}"
            + (f" ({booked / yardstick:.0%} of in-process {yardstick:.1f}/s)" if yardstick else ""),
            f"  requests/s: {len(ordered) / seconds:.1f}; answers: "
            + ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items())),
            f"  latency p50 {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"max {ordered[-1] * 1000:.0f} ms",
            # Little's law for a closed loop: the mean latency is the clients over the
            # throughput, so a latency goal is a throughput goal (250 ms for 48: 192/s).
            f"  clients / requests per second: {clients / (len(ordered) / seconds) * 1000:.0f} ms"
            " (the mean latency any server gets at this throughput)",
        ]
        return "\n".join(lines)


def _starts(zone: Any, horizon_days: int) -> list[datetime]:
    """Every weekday quarter hour 09:00-17:30 of the horizon from tomorrow (salon's zone)."""
    first = datetime.now(UTC).astimezone(zone).date() + timedelta(days=1)
    days = [first + timedelta(days=offset) for offset in range(horizon_days - 2)]
    return [
        datetime(day.year, day.month, day.day, 9, 0, tzinfo=zone) + timedelta(minutes=15 * q)
        for day in days
        if day.weekday() < 5
        for q in range(35)
    ]


def _client(
    number: int,
    base: str,
    token: str,
    service_id: int,
    starts: list[datetime],
    deadline: float,
    tally: Tally,
) -> None:
    rng = random.Random(number)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        attempt = 0
        while time.monotonic() < deadline:
            attempt += 1
            body = {
                "service_id": service_id,
                "start": rng.choice(starts).isoformat(),
                "customer": {"name": f"Kunde {number}-{attempt}"},
            }
            sent = time.monotonic()
            response = http.post("/api/v1/appointments", json=body)
            tally.add(response.status_code, time.monotonic() - sent)


def _load(
    base: str, token: str, service_id: int, starts: list[datetime], clients: int, seconds: float
) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_client, args=(n, base, token, service_id, starts, deadline, tally))
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def _wait_for(base: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    sys.exit(f"{base} did not answer within {seconds:.0f} s")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- PostgreSQL through gunicorn -----------------------------------------------------------


@dataclass
class OwnRedis:
    process: subprocess.Popen[bytes]
    url: str


def _own_redis() -> OwnRedis | None:
    """A redis-server of this run on a free port, without persistence; None without one."""
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not _answers(url):
        if time.monotonic() > deadline:
            sys.exit(f"{binary} did not answer on port {port}")
        time.sleep(0.1)
    return OwnRedis(process, url)


def _answers(redis_url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(redis_url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def _postgres(args: argparse.Namespace) -> str:
    setup(args.database_url)
    from tests.support.overlaps import customer_overlaps, staff_overlaps

    from phasebook.salons.models import ApiToken, Service

    # The yardstick: booking_throughput.py's pool of worker processes, same clients.
    reset()
    company, _ = demo_salon(STYLISTS)
    service_id = Service.objects.get(company=company, name="Herrenhaarschnitt").pk
    pool = argparse.Namespace(
        workers=args.workers,
        database_url=args.database_url,
        clients=args.clients,
        seconds=args.seconds,
    )
    in_process = _with_worker_pool(pool, company, service_id)["booked"] / args.seconds

    reset()
    company, _ = demo_salon(STYLISTS)
    service_id = Service.objects.get(company=company, name="Herrenhaarschnitt").pk
    company.client_writes_per_minute = WRITES_PER_MINUTE
    company.save(update_fields=["client_writes_per_minute"])
    token = ApiToken.issue(company, "bench")[1]
    port = _free_port()
    redis = _own_redis()
    env = os.environ | {
        "DATABASE_URL": args.database_url,
        "PHASEBOOK_BIND": f"127.0.0.1:{port}",
        "PHASEBOOK_WORKERS": str(args.workers),
        # As in production, where the broker's Redis counts the rate limits.
        "PHASEBOOK_RATE_LIMIT_REDIS_URL": redis.url if redis else "",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:phasebook.gunicorn_conf",
            "phasebook.wsgi",
        ],
        env=env,
        cwd=REPO,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, server)
        tally = _load(
            base,
            token,
            service_id,
            _starts(company.zone, company.horizon_days),
            args.clients,
            args.seconds,
        )
    finally:
        _stop(server)
        if redis:
            _stop(redis.process)
    title = (
        f"PostgreSQL, {args.clients} clients through gunicorn ({args.workers} sync "
        f"workers), {args.seconds:.0f} s, rate limits counted in "
        + ("Redis" if redis else "the database (no redis-server on PATH)")
    )
    overlaps = f"  stylist overlaps: {staff_overlaps()}, customer overlaps: {customer_overlaps()}"
    return "\n".join([tally.report(title, args.clients, args.seconds, in_process), overlaps])


# --- SQLite through the demo ---------------------------------------------------------------


_SQLITE_STAFF_OVERLAPS = """
    SELECT count(*) FROM booking_appointmentphase a JOIN booking_appointmentphase b
      ON a.staff_id = b.staff_id AND a.id < b.id
     AND a.start_time < b.end_time AND b.start_time < a.end_time
    WHERE a.blocks_staff AND b.blocks_staff
"""
_SQLITE_CUSTOMER_OVERLAPS = """
    SELECT count(*) FROM booking_appointment a JOIN booking_appointment b
      ON (a.customer_id = b.customer_id
          OR (a.company_id = b.company_id AND a.caller_phone <> ''
              AND a.caller_phone = b.caller_phone))
     AND a.id < b.id
     AND a.start < b."end" AND b.start < a."end"
    WHERE a.is_live AND b.is_live
"""


def _sqlite(args: argparse.Namespace) -> str:
    from zoneinfo import ZoneInfo

    data = Path(tempfile.mkdtemp(prefix="phasebook-bench-demo-"))
    port = _free_port()
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env |= {"PHASEBOOK_DATA_DIR": str(data), "PHASEBOOK_DEMO_TOKEN": DEMO_TOKEN}
    server = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "phasebook.manage",
            "demo",
            "--port",
            str(port),
            "--calcom-port",
            str(_free_port()),
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, server, seconds=120)
        with sqlite3.connect(data / "phasebook.sqlite3", timeout=30) as db:
            db.execute(
                "UPDATE salons_company SET client_writes_per_minute = ?", [WRITES_PER_MINUTE]
            )
        services = httpx.get(
            f"{base}/api/v1/services", timeout=10, headers={"Authorization": f"Bearer {DEMO_TOKEN}"}
        ).json()
        cut = next(s["id"] for s in services if s["name"] == "Herrenhaarschnitt")
        tally = _load(
            base,
            DEMO_TOKEN,
            cut,
            _starts(ZoneInfo("Europe/Berlin"), 90),
            args.sqlite_clients,
            args.seconds,
        )
    finally:
        _stop(server)
    with sqlite3.connect(data / "phasebook.sqlite3") as db:
        staff = db.execute(_SQLITE_STAFF_OVERLAPS).fetchone()[0]
        customers = db.execute(_SQLITE_CUSTOMER_OVERLAPS).fetchone()[0]
    over_a_second = sum(latency > 1.0 for latency in tally.latencies)
    title = (
        f"SQLite, {args.sqlite_clients} clients through the demo (uvicorn), {args.seconds:.0f} s"
    )
    return "\n".join(
        [
            tally.report(title, args.sqlite_clients, args.seconds, None),
            f"  requests over 1 s: {over_a_second}",
            f"  stylist overlaps: {staff}, customer overlaps: {customers}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--clients", type=int, default=48)
    parser.add_argument("--sqlite-clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.skip_postgres:
        print(_postgres(args), flush=True)
    if not args.skip_sqlite:
        print(_sqlite(args), flush=True)


if __name__ == "__main__":
    main()
