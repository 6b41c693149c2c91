"""Any-stylist, 14-day slot search for the demo's "Ansatzfärbung" with 10 stylists.

For each size, the database holds that many booked colours spread over past and future
at a constant density (so the searched window looks the same at every size), and
`find_slots` is timed end to end, queries included.

    uv run python bench/slot_search.py [--sizes 1000 10000 100000] [--runs 50]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from common import DEFAULT_URL, demo_salon, reset, setup

STYLISTS = 10
SEARCH_DAYS = 14
FUTURE_DAYS = 30  # bookings reach this far ahead; the rest of them lie in the past
DAILY_STARTS = {0: ("09:00", "11:45", "14:30"), 5: ("09:00", "11:45")}  # Mon–Fri, Sat
TAKEN_SHARE = 0.7  # of each stylist's possible colours on a day, so some slots stay free
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # a Monday morning


def _starts(day: date, zone: Any) -> tuple[str, ...]:
    weekday = day.weekday()
    return DAILY_STARTS[0] if weekday < 5 else DAILY_STARTS.get(weekday, ())


def _planned(company: Any, colour: Any, staff: list[Any], count: int) -> list[tuple[Any, Any]]:
    """(stylist, start) for `count` colours, walking back in time from FUTURE_DAYS ahead."""
    from phasebook.scheduling.phases import plan_phases

    chosen: list[tuple[Any, Any]] = []
    rng = random.Random(42)
    day = (NOW + timedelta(days=FUTURE_DAYS)).astimezone(company.zone).date()
    while len(chosen) < count:
        for wall in _starts(day, company.zone):
            hour, minute = map(int, wall.split(":"))
            start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=company.zone)
            chosen += [(member, start) for member in staff if rng.random() < TAKEN_SHARE]
        day -= timedelta(days=1)
    assert plan_phases(colour.segment_list, NOW)  # the service plans at all
    return chosen[:count]


def _fill(company: Any, colour: Any, staff: list[Any], count: int) -> None:
    from phasebook.booking.models import Appointment, AppointmentPhase, AppointmentStatus
    from phasebook.booking.placement import phase_rows
    from phasebook.salons.models import Customer
    from phasebook.scheduling.phases import plan_phases

    customers = Customer.objects.bulk_create(
        Customer(company=company, name=f"Kundin {n}") for n in range(STYLISTS * 50)
    )
    batch: list[Any] = []
    phases: list[Any] = []
    for number, (member, start) in enumerate(_planned(company, colour, staff, count)):
        planned = plan_phases(colour.segment_list, start.astimezone(UTC))
        appointment = Appointment(
            company=company,
            customer=customers[number % len(customers)],
            service=colour,
            staff=member,
            start=planned[0].interval.start,
            end=planned[-1].interval.end,
            status=AppointmentStatus.BOOKED,
            is_live=True,
        )
        batch.append(appointment)
        phases += phase_rows(appointment, planned)
        if len(batch) >= 2000:
            _flush(batch, phases, Appointment, AppointmentPhase)
    _flush(batch, phases, Appointment, AppointmentPhase)


def _flush(batch: list[Any], phases: list[Any], appointments: Any, phase_model: Any) -> None:
    appointments.objects.bulk_create(batch)
    phase_model.objects.bulk_create(phases)
    batch.clear()
    phases.clear()


def _busy_in_window(window: Any) -> int:
    from phasebook.booking.models import AppointmentPhase

    return AppointmentPhase.objects.filter(
        blocks_staff=True, start_time__lt=window.end, end_time__gt=window.start
    ).count()


def _time_searches(company: Any, colour: Any, window: Any, runs: int) -> tuple[list[float], int]:
    from phasebook.booking.access import choose_staff
    from phasebook.booking.availability import find_slots

    timings: list[float] = []
    slots = 0
    for _ in range(runs + 3):  # the first three warm caches and are not counted
        began = time.perf_counter()
        slots = len(find_slots(company, colour, window, choose_staff(company, colour, None), NOW))
        timings.append((time.perf_counter() - began) * 1000)
    return timings[3:], slots


def _measure(size: int, runs: int) -> dict[str, Any]:
    from django.db import connection

    from phasebook.scheduling.intervals import Interval

    reset()
    company, staff = demo_salon(STYLISTS)
    colour = next(service for service in company.services.all() if service.name == "Ansatzfärbung")
    _fill(company, colour, staff, size)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    window = Interval(NOW, NOW + timedelta(days=SEARCH_DAYS))
    timings, slots = _time_searches(company, colour, window, runs)
    busy = _busy_in_window(window)
    median = statistics.median(timings)
    return {
        "size": size,
        "busy": busy,
        "slots": slots,
        "median": median,
        "p95": statistics.quantiles(timings, n=20)[-1],
        "per_busy": median / max(busy, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    setup(args.database_url)
    print(
        f"{'appointments':>12} {'busy phases':>11} {'slots':>6} {'median ms':>9} "
        f"{'p95 ms':>7} {'ms/busy':>8}"
    )
    for size in args.sizes:
        row = _measure(size, args.runs)
        print(
            f"{row['size']:>12} {row['busy']:>11} {row['slots']:>6} {row['median']:>9.2f} "
            f"{row['p95']:>7.2f} {row['per_busy']:>8.4f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
