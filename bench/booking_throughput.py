"""64 clients booking overlapping times through the booking service on PostgreSQL.

The clients book cuts on the demo's stylists for "any stylist" at random quarter hours
of the salon's booking horizon (90 days), so many requests collide; afterwards raw SQL
checks that no stylist and no customer is double-booked. Two ways to serve them:
- by default the clients' requests go to a pool of `--workers` worker processes (4: two
  per core) that serve one request at a time each, as gunicorn's sync workers serve
  phasebook in production (README);
- with `--workers 0` every client is a thread with a connection of its own (64
  transactions at once), the clients spread over `--processes` processes, as a threaded
  server runs them; uvicorn, which serves the demo, runs each request's synchronous code
  in a thread of its own (one Python process cannot use more than one core).
One client booking alone is measured first, as a yardstick for this machine's speed.

    uv run python bench/booking_throughput.py [--clients 64] [--seconds 30] [--workers 4]
                                              [--processes 4] [--baseline-seconds 10]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from common import DEFAULT_URL, demo_salon, reset, setup

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # a Monday morning
STYLISTS = 10


def _starts(company: Any) -> list[datetime]:
    """Every quarter hour from 09:00 to 17:30 on the weekdays of the salon's booking horizon
    after NOW, in the salon's zone. The whole horizon, because 64 clients fill a shorter
    window within the 30 seconds, and then measure how fast a full calendar says no."""
    first = NOW.astimezone(company.zone).date() + timedelta(days=1)
    days = [first + timedelta(days=offset) for offset in range(company.horizon_days - 1)]
    return [
        datetime(day.year, day.month, day.day, 9, 0, tzinfo=company.zone).astimezone(UTC)
        + timedelta(minutes=15 * quarter)
        for day in days
        if day.weekday() < 5
        for quarter in range(35)
    ]


def _book_once(company: Any, service_id: int, start: datetime, name: str) -> str:
    """One booking through the booking service; the outcome's name."""
    from phasebook.booking.customers import CustomerDetails
    from phasebook.booking.errors import BookingError
    from phasebook.booking.events import Actor
    from phasebook.booking.services import BookingRequest, book_appointment

    try:
        book_appointment(
            company,
            BookingRequest(service_id, start, CustomerDetails(name)),
            now=NOW,
            actor=Actor.system("bench"),
        )
        return "booked"
    except BookingError as error:
        return type(error).__name__
    except Exception as error:  # counted, never hidden: any of these is a bug
        return f"UNEXPECTED {type(error).__name__}"


Book = Callable[[datetime, str], str]


def _client(
    number: int,
    book: Book,
    starts: list[datetime],
    deadline: float,
    outcomes: Counter[str],
    lock: threading.Lock,
) -> None:
    """Book at random starts until `deadline`, one request after the other."""
    from django.db import connection

    rng = random.Random(number)
    local: Counter[str] = Counter()
    attempt = 0
    while time.time() < deadline:
        attempt += 1
        local[book(rng.choice(starts), f"Kunde {number}-{attempt}")] += 1
    connection.close()  # this thread's, if it booked on one of its own
    with lock:
        outcomes.update(local)


def _run_clients(
    first: int, clients: int, book: Book, starts: list[datetime], seconds: float
) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.time() + seconds
    threads = [
        threading.Thread(target=_client, args=(first + n, book, starts, deadline, outcomes, lock))
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _process(
    url: str,
    first_client: int,
    clients: int,
    company_id: int,
    service_id: int,
    seconds: float,
    ready: Any,
    results: Any,
) -> None:
    """One process whose `clients` threads each book on a connection of their own."""
    setup(url, migrate=False)
    from django.db import connection

    from phasebook.salons.models import Company

    company = Company.objects.get(pk=company_id)
    starts = _starts(company)
    connection.close()  # each client thread opens its own; PostgreSQL allows only so many

    def book(start: datetime, name: str) -> str:
        return _book_once(company, service_id, start, name)

    # Processes start slowly (Django set-up): the clock runs once every process is ready.
    ready.wait()
    results.put(dict(_run_clients(first_client, clients, book, starts, seconds)))


_worker: dict[str, Any] = {}


def _start_worker(url: str, company_id: int, service_id: int) -> None:
    setup(url, migrate=False)
    from phasebook.salons.models import Company

    _worker.update(company=Company.objects.get(pk=company_id), service_id=service_id)


def _book_in_worker(start: datetime, name: str) -> str:
    return _book_once(_worker["company"], _worker["service_id"], start, name)


def _with_worker_pool(args: argparse.Namespace, company: Any, service_id: int) -> Counter[str]:
    """The clients' requests served by a pool of worker processes, one request at a time
    each, as a web server's workers serve them."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        args.workers,
        mp_context=spawn,
        initializer=_start_worker,
        initargs=(args.database_url, company.pk, service_id),
    ) as pool:
        # Start every worker (Django set-up is slow) before the clock runs.
        list(pool.map(time.sleep, [0.5] * args.workers))

        def book(start: datetime, name: str) -> str:
            return pool.submit(_book_in_worker, start, name).result()

        return _run_clients(0, args.clients, book, _starts(company), args.seconds)


def _with_client_processes(
    url: str, clients: int, processes: int, seconds: float, company: Any, service_id: int
) -> Counter[str]:
    """Every client books on a connection of its own, the clients spread over processes."""
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    ready = spawn.Barrier(processes)
    share, rest = divmod(clients, processes)
    workers, first = [], 0
    for index in range(processes):
        count = share + (1 if index < rest else 0)
        workers.append(
            spawn.Process(
                target=_process,
                args=(url, first, count, company.pk, service_id, seconds, ready, results),
            )
        )
        first += count
    for worker in workers:
        worker.start()
    outcomes: Counter[str] = Counter()
    for _ in workers:
        outcomes.update(results.get())
    for worker in workers:
        worker.join()
    return outcomes


def _fresh_salon() -> tuple[Any, int]:
    from phasebook.salons.models import Service

    reset()
    company, _ = demo_salon(STYLISTS)
    return company, Service.objects.get(company=company, name="Herrenhaarschnitt").pk


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--workers",
        type=int,
        default=4,
        help="worker processes serving the clients; 0: own connections",
    )
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    args = parser.parse_args()
    setup(args.database_url)
    from tests.support.overlaps import customer_overlaps, staff_overlaps

    # This virtual machine's speed swings by up to 2x within an hour: one client alone,
    # measured just before, gives the figure below a yardstick.
    company, service_id = _fresh_salon()
    alone = (
        _with_client_processes(args.database_url, 1, 1, args.baseline_seconds, company, service_id)[
            "booked"
        ]
        / args.baseline_seconds
    )
    company, service_id = _fresh_salon()
    if args.workers:
        outcomes = _with_worker_pool(args, company, service_id)
        served = f"a pool of {args.workers} worker processes"
    else:
        outcomes = _with_client_processes(
            args.database_url, args.clients, args.processes, args.seconds, company, service_id
        )
        served = f"their own connections in {args.processes} processes"
    booked = outcomes["booked"] / args.seconds
    print(f"one client alone: {alone:.1f} bookings/s ({1000 / alone:.1f} ms each)")
    print(f"clients {args.clients} served by {served}, {args.seconds:.1f} s")
    print(f"successful bookings/s: {booked:.1f} ({booked / alone:.2f}x one client alone)")
    print(f"attempts/s: {sum(outcomes.values()) / args.seconds:.1f}")
    for kind, count in sorted(outcomes.items()):
        print(f"  {kind}: {count}")
    print(f"stylist overlaps: {staff_overlaps()}, customer overlaps: {customer_overlaps()}")


if __name__ == "__main__":
    main()
