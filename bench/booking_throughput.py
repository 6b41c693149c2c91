"""64 clients booking overlapping times through the booking service on PostgreSQL.

Each client is a thread with its own connection; the clients are spread over several
processes, as a deployment runs several workers (one Python process cannot use more than
one core). They book cuts on the demo's stylists at random quarter hours of the next
days, so many requests collide; afterwards raw SQL checks that no stylist and no customer
is double-booked.

    uv run python bench/booking_throughput.py [--clients 64] [--processes 4] [--seconds 30]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from common import DEFAULT_URL, demo_salon, reset, setup

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # a Monday morning
DAYS = 60  # weekdays from the day after NOW on
STYLISTS = 10


def _starts(company: Any) -> list[datetime]:
    """Every quarter hour from 09:00 to 17:30 on the weekdays after NOW, in the salon's zone."""
    first = NOW.astimezone(company.zone).date() + timedelta(days=1)
    days = [first + timedelta(days=offset) for offset in range(DAYS)]
    return [
        datetime(day.year, day.month, day.day, 9, 0, tzinfo=company.zone).astimezone(UTC)
        + timedelta(minutes=15 * quarter)
        for day in days
        if day.weekday() < 5
        for quarter in range(35)
    ]


def _client(number: int, company: Any, service_id: int, starts: list[datetime],
            deadline: float, outcomes: Counter[str], lock: threading.Lock) -> None:
    from django.db import connection

    from phasebook.booking.customers import CustomerDetails
    from phasebook.booking.errors import BookingError
    from phasebook.booking.services import BookingRequest, book_appointment

    rng = random.Random(number)
    local: Counter[str] = Counter()
    try:
        attempt = 0
        while time.time() < deadline:
            attempt += 1
            request = BookingRequest(service_id, rng.choice(starts),
                                     CustomerDetails(f"Kunde {number}-{attempt}"))
            try:
                book_appointment(company, request, now=NOW)
                local["booked"] += 1
            except BookingError as error:
                local[type(error).__name__] += 1
            except Exception as error:  # counted, never hidden: any of these is a bug
                local[f"UNEXPECTED {type(error).__name__}"] += 1
    finally:
        connection.close()
        with lock:
            outcomes.update(local)


def _process(url: str, first_client: int, clients: int, company_id: int, service_id: int,
             seconds: float, ready: Any, results: Any) -> None:
    """One worker process running `clients` client threads for `seconds` once all are ready."""
    setup(url, migrate=False)
    from django.db import connection

    from phasebook.salons.models import Company

    company = Company.objects.get(pk=company_id)
    starts = _starts(company)
    connection.close()  # each client thread opens its own; PostgreSQL allows only so many
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    # Processes start slowly (Django set-up): the clock runs once every process is ready.
    ready.wait()
    deadline = time.time() + seconds
    threads = [threading.Thread(target=_client, args=(first_client + n, company, service_id,
                                                       starts, deadline, outcomes, lock))
               for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(dict(outcomes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    setup(args.database_url)
    from tests.booking.overlaps import customer_overlaps, staff_overlaps

    from phasebook.salons.models import Service

    reset()
    company, _ = demo_salon(STYLISTS)
    cut = Service.objects.get(company=company, name="Herrenhaarschnitt")
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    ready = spawn.Barrier(args.processes)
    share, rest = divmod(args.clients, args.processes)
    workers, first = [], 0
    for index in range(args.processes):
        count = share + (1 if index < rest else 0)
        workers.append(spawn.Process(target=_process, args=(
            args.database_url, first, count, company.pk, cut.pk, args.seconds, ready, results)))
        first += count
    for worker in workers:
        worker.start()
    outcomes: Counter[str] = Counter()
    for _ in workers:
        outcomes.update(results.get())
    for worker in workers:
        worker.join()
    elapsed = args.seconds
    print(f"clients {args.clients} in {args.processes} processes, {elapsed:.1f} s")
    print(f"successful bookings/s: {outcomes['booked'] / elapsed:.1f}")
    print(f"attempts/s: {sum(outcomes.values()) / elapsed:.1f}")
    for kind, count in sorted(outcomes.items()):
        print(f"  {kind}: {count}")
    print(f"stylist overlaps: {staff_overlaps()}, customer overlaps: {customer_overlaps()}")


if __name__ == "__main__":
    main()
