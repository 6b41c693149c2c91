"""Impact and re-plan of a stylist's full sick day: 10 stylists, 10 000 appointments.

The demo salon with 10 stylists holds `--size` appointments (colours at 09:00, 11:45 and
14:30, each with a cut in its processing time) spread over past and future; Anna's sick
day is full. Two salons: the colleagues' weekdays 70 % taken (most of Anna's clients keep
their time with a colleague) and 100 % taken (every client needs a new time, the plan's
most expensive path). `plan_absence` (load the salon, impact, plan, plan id) is timed end
to end, queries included, and split into loading and planning.

The yardstick, measured in the same run because this machine's speed swings by up to 2x:
the 14-day any-stylist slot search of bench/slot_search.py on the same data (README has its
history), so `ratio` compares the plan with a workload of the same kind.

    uv run python bench/absence_replan.py [--size 10000] [--runs 30] [--database-url …]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from common import demo_salon, reset, setup

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/phasebook_bench_absence"
STYLISTS = 10
FUTURE_DAYS = 30  # bookings reach this far ahead; the rest lie in the past
COLOURS = ("09:00", "11:45", "14:30")  # Ansatzfärbung, 160 minutes, processing 30–60
CUT_INTO_PROCESSING = timedelta(minutes=30)  # a Herrenhaarschnitt in each colour's gap
TAKEN_SHARES = (0.7, 1.0)  # of the colleagues' possible appointments
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # a Monday morning
SICK_DAY = date(2026, 3, 11)  # the Wednesday after next


def _day_plan(
    company: Any, day: date, share: float, rng: random.Random
) -> list[tuple[str, datetime]]:
    """(service name, start) of one stylist's day: colours and the cuts in their gaps."""
    if day.weekday() >= 5:
        return []
    chosen: list[tuple[str, datetime]] = []
    for wall in COLOURS:
        hour, minute = map(int, wall.split(":"))
        start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=company.zone)
        if rng.random() < share:
            chosen.append(("Ansatzfärbung", start))
        if rng.random() < share:
            chosen.append(("Herrenhaarschnitt", start + CUT_INTO_PROCESSING))
    return chosen


def _planned(
    company: Any, staff: list[Any], count: int, share: float
) -> list[tuple[Any, str, datetime]]:
    """(stylist, service, start) for `count` appointments, walking back in time; the
    first stylist's sick day is full."""
    rng = random.Random(42)
    chosen: list[tuple[Any, str, datetime]] = []
    day = (NOW + timedelta(days=FUTURE_DAYS)).astimezone(company.zone).date()
    while len(chosen) < count:
        for number, member in enumerate(staff):
            taken = 1.0 if number == 0 and day == SICK_DAY else share
            chosen += [(member, name, start) for name, start in _day_plan(company, day, taken, rng)]
        day -= timedelta(days=1)
    return chosen[:count]


def _fill(company: Any, staff: list[Any], count: int, share: float) -> None:
    from phasebook.booking.models import Appointment, AppointmentPhase, AppointmentStatus
    from phasebook.booking.placement import phase_rows
    from phasebook.salons.models import Customer, Service
    from phasebook.scheduling.phases import plan_phases

    services = {service.name: service for service in Service.objects.filter(company=company)}
    customers = Customer.objects.bulk_create(
        Customer(company=company, name=f"Kundin {n}", phone=f"+4917110{n:05d}")
        for n in range(STYLISTS * 50)
    )
    appointments: list[Any] = []
    phases: list[Any] = []
    for number, (member, name, start) in enumerate(_planned(company, staff, count, share)):
        service = services[name]
        planned = plan_phases(service.segment_list, start.astimezone(UTC))
        appointment = Appointment(
            company=company,
            customer=customers[number % len(customers)],
            service=service,
            staff=member,
            start=planned[0].interval.start,
            end=planned[-1].interval.end,
            status=AppointmentStatus.BOOKED,
            is_live=True,
        )
        appointments.append(appointment)
        phases += phase_rows(appointment, planned)
    for first in range(0, len(appointments), 2000):
        Appointment.objects.bulk_create(appointments[first : first + 2000])
    AppointmentPhase.objects.bulk_create(phases, batch_size=5000)


def _timed(call: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    timings: list[float] = []
    result: Any = None
    for _ in range(runs + 3):  # the first three warm caches and are not counted
        began = time.perf_counter()
        result = call()
        timings.append((time.perf_counter() - began) * 1000)
    return timings[3:], result


def _summary(timings: list[float]) -> tuple[float, float]:
    return statistics.median(timings), statistics.quantiles(timings, n=20)[-1]


def _measure(size: int, share: float, runs: int) -> None:
    from django.db import connection

    from phasebook.absences.loading import load_salon
    from phasebook.absences.services import plan_absence
    from phasebook.booking.availability import find_slots
    from phasebook.booking.services import choose_staff
    from phasebook.scheduling.intervals import Interval
    from phasebook.scheduling.replan import SEARCH_DAYS, AbsencePeriod, replan

    reset()
    company, staff = demo_salon(STYLISTS)
    staff.sort(key=lambda member: member.name != "Anna Schneider")  # Anna is out
    _fill(company, staff, size, share)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    absent = staff[0]
    day_start = datetime(SICK_DAY.year, SICK_DAY.month, SICK_DAY.day, tzinfo=company.zone)
    sick = (day_start, day_start + timedelta(days=1))
    period = AbsencePeriod(str(absent.pk), Interval(*sick))

    whole, plan = _timed(lambda: plan_absence(company, absent.pk, *sick, now=NOW), runs)
    loading, loaded = _timed(lambda: load_salon(company, period, NOW, SEARCH_DAYS), runs)
    planning, _ = _timed(lambda: replan(loaded.state, period, SEARCH_DAYS), runs)
    colour = next(s for s in company.services.all() if s.name == "Ansatzfärbung")
    window = Interval(NOW, NOW + timedelta(days=14))
    yardstick, _ = _timed(
        lambda: find_slots(company, colour, window, choose_staff(company, colour, None), NOW),
        runs,
    )

    actions = Counter(entry.action.value for entry in plan.replan.entries)
    busy = sum(len(stylist.busy) for stylist in loaded.state.stylists)
    print(
        f"\ncolleagues {share:.0%} booked: {size} appointments, {STYLISTS} stylists; "
        f"{absent.name}'s sick day {SICK_DAY}: {len(plan.replan.entries)} broken "
        f"({', '.join(f'{count} {name}' for name, count in sorted(actions.items()))}); "
        f"{busy} busy intervals over {SEARCH_DAYS + 1} days"
    )
    print(f"{'':<34} {'median ms':>9} {'p95 ms':>7}")
    for label, timings in (
        ("impact + plan (plan_absence)", whole),
        ("  of which loading the salon", loading),
        ("  of which planning (pure)", planning),
        ("yardstick: 14-day slot search", yardstick),
    ):
        median, p95 = _summary(timings)
        print(f"{label:<34} {median:>9.1f} {p95:>7.1f}")
    ratio = statistics.median(whole) / statistics.median(yardstick)
    print(f"ratio plan / yardstick: {ratio:.2f}x   (goal: plan under 200 ms)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup(args.database_url)
    for share in TAKEN_SHARES:
        _measure(args.size, share, args.runs)


if __name__ == "__main__":
    main()
