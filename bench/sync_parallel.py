"""Syncing one four-phase colour to Cal.com with 100 ms latency per call: parallel vs sequential.

Against the in-memory emulator with a latency fault on every request. For each run a fresh
appointment is booked (not timed), then `sync_appointment` is timed: a one-phase cut (the
"single booking" reference), the colour with its phases in parallel, and the colour one phase
at a time. Also times the preventive slot check (4 phases asked in parallel) on its own.
Goals: parallel within 1.5x of a single booking, sequential / parallel at least 3x.

    uv run python bench/sync_parallel.py [--runs 7] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from common import DEFAULT_URL, reset, setup

# A database of its own: the other benchmarks empty theirs while they run.
DATABASE_URL = DEFAULT_URL + "_sync"


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--database-url", default=DATABASE_URL)
    args = parser.parse_args()
    setup(args.database_url)
    reset()
    logging.getLogger("phasebook.calcom.client").setLevel(logging.WARNING)

    from django.utils import timezone
    from tests.factories import CUT, make_company, make_service, make_staff, next_weekday
    from tests.support.mirror import connect_salon

    from phasebook.booking.customers import CustomerDetails
    from phasebook.booking.events import Actor
    from phasebook.booking.services import BookingRequest, book_appointment
    from phasebook.calcom.client import CalcomClient
    from phasebook.calcom.models import CalcomConnection
    from phasebook.calcom_emulator import CalcomEmulator, start_in_thread
    from phasebook.calsync import tasks
    from phasebook.calsync.env import ClientPool, SyncEnv
    from phasebook.calsync.slot_check import _agreeing
    from phasebook.calsync.sync import sync_appointment
    from phasebook.salons.models import Company

    # The bench syncs by itself: without this, the in-process runner would race it for the
    # same outbox rows after every booking's commit.
    tasks.dispatch = lambda task, *args: None  # type: ignore[assignment]
    company = make_company("bench-sync")
    colour, cut = make_service(company), make_service(company, "Herrenhaarschnitt", CUT)
    anna = make_staff(company, "Anna")
    running = start_in_thread(CalcomEmulator(rate_limit=1_000_000))
    connect_salon(running.emulator, running.url, company, [anna])
    running.emulator.inject_fault("latency", count=None, latency_ms=args.latency_ms)

    def client(company: Company) -> CalcomClient:
        connection = CalcomConnection.objects.get(company=company)
        return CalcomClient(connection.base_url, connection.api_key)

    pool = ClientPool(client)  # one warm client, as in a long-running worker
    parallel, sequential = SyncEnv(client_for=pool), SyncEnv(client_for=pool, max_parallel=1)
    days = iter(range(10_000))  # one appointment per day: they never collide

    def timed_sync(service: Any, env: SyncEnv) -> float:
        day = next(days)
        start = next_weekday(timezone.now(), weekday=day % 6, hour=10, weeks=1 + day // 6)
        appointment = book_appointment(
            company,
            BookingRequest(
                service.pk, start, CustomerDetails(f"Kundin {day}"), staff_id=str(anna.pk)
            ),
            actor=Actor.system("bench"),
        )
        started = time.perf_counter()
        results = sync_appointment(appointment.pk, env)
        elapsed = time.perf_counter() - started
        assert all(progress.error is None for progress in results), results
        return elapsed

    def timed_check() -> float:
        start = next_weekday(timezone.now(), hour=10, weeks=12)
        started = time.perf_counter()
        _agreeing(company, colour, [anna], start, parallel)
        return time.perf_counter() - started

    def runs(measure: Callable[[], float]) -> list[float]:
        measure()  # warm-up: first connection, imports
        return [measure() for _ in range(args.runs)]

    single = runs(lambda: timed_sync(cut, parallel))
    in_parallel = runs(lambda: timed_sync(colour, parallel))
    one_by_one = runs(lambda: timed_sync(colour, sequential))
    check = runs(timed_check)
    running.stop()

    single_ms, parallel_ms = _median_ms(single), _median_ms(in_parallel)
    sequential_ms = _median_ms(one_by_one)
    print(f"latency per Cal.com call: {args.latency_ms} ms, runs: {args.runs} (medians)")
    print(f"single booking (cut, 1 phase):     {single_ms:7.1f} ms")
    print(
        f"colour, 4 phases in parallel:      {parallel_ms:7.1f} ms  "
        f"= {parallel_ms / single_ms:.2f}x single (goal <= 1.5x)"
    )
    print(
        f"colour, 4 phases one at a time:    {sequential_ms:7.1f} ms  "
        f"= {sequential_ms / parallel_ms:.2f}x parallel (goal >= 3x)"
    )
    print(f"preventive slot check (4 phases):  {_median_ms(check):7.1f} ms added before booking")
    print(
        f"(sync timings include leasing and recording in the database; "
        f"{timedelta(seconds=sum(single + in_parallel + one_by_one)).total_seconds():.1f} s)"
    )


if __name__ == "__main__":
    main()
