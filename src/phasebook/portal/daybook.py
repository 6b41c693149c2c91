"""The Terminbuch: one salon day as one column per stylist, with every phase as a block.

`load_day` reads a day in a fixed number of queries, however many appointments it has
(stylists, phases with their appointments, absences, external busy blocks). Blocks carry
their place as minutes from the top of the grid, so the template only positions them.

Processing time (a gap) is drawn behind the stylist's other work: a client's cut that sits
in another client's Einwirkzeit is drawn inside that gap, indented, so both can be read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from phasebook.booking.models import AppointmentPhase, AppointmentStatus
from phasebook.salons.calendar import closed_dates
from phasebook.salons.models import Absence, Company, ExternalBusyBlock, Staff
from phasebook.salons.tenancy import of_company
from phasebook.scheduling.calendar import windows_on
from phasebook.scheduling.intervals import Interval, subtract

FALLBACK_HOURS = (time(9), time(18))  # a closed day still shows a grid


class BlockKind(StrEnum):
    WORK = "work"  # a staff-required phase: the stylist is busy
    PROCESSING = "processing"  # a gap: the client waits, the stylist is free
    ABSENCE = "absence"
    EXTERNAL = "external"  # busy in Cal.com, booked outside phasebook


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    interval: Interval
    top: int  # minutes from the grid's first instant
    length: int
    title: str
    detail: str = ""
    url: str = ""
    held: bool = False  # a reservation that is not booked yet: drawn as tentative
    sync_status: str = ""
    inset: bool = False  # a staff-required phase inside someone's processing time
    lane: int = 0  # processing blocks that overlap each other share the width
    lanes: int = 1

    @property
    def start(self) -> datetime:
        return self.interval.start

    @property
    def end(self) -> datetime:
        return self.interval.end


@dataclass(frozen=True)
class Cell:
    """A free grid time that opens "Neuer Termin" for this stylist."""

    start: datetime
    top: int
    length: int


@dataclass
class Column:
    staff: Staff
    blocks: list[Block] = field(default_factory=list)
    off_duty: list[tuple[int, int]] = field(default_factory=list)  # (top, length)
    cells: list[Cell] = field(default_factory=list)


@dataclass(frozen=True)
class HourMark:
    label: str
    top: int


@dataclass(frozen=True)
class Day:
    company: Company
    date: date
    grid: Interval
    closed: bool
    columns: list[Column]
    hours: list[HourMark]
    now_top: int | None

    @property
    def minutes(self) -> int:
        return _minutes(self.grid.end - self.grid.start)


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def day_bounds(day: date, zone: ZoneInfo) -> Interval:
    """The local day as instants (23 or 25 hours long on clock-change days)."""
    following = day + timedelta(days=1)
    return Interval(
        datetime(day.year, day.month, day.day, tzinfo=zone),
        datetime(following.year, following.month, following.day, tzinfo=zone),
    )


def load_day(company: Company, day: date, now: datetime, staff: Sequence[Staff]) -> Day:
    """The day of `staff` (the salon's active stylists, in the order given)."""
    zone = company.zone
    bounds = day_bounds(day, zone)
    phases = _phases(company, staff, bounds, now)
    absences = _absences(staff, bounds)
    external = _external(staff, bounds)
    closed = day in closed_dates(company, day, day) or not windows_on(
        company.weekly_opening_hours, day, zone
    )
    grid = _grid(company, day, staff, closed, [phase.interval for phase in phases])
    columns = [
        _column(
            member,
            grid,
            company,
            day,
            [phase for phase in phases if phase.staff_id == member.id],
            [absence for absence in absences if absence.staff_id == member.id],
            [block for block in external if block.staff_id == member.id],
        )
        for member in staff
    ]
    return Day(
        company=company,
        date=day,
        grid=grid,
        closed=closed,
        columns=columns,
        hours=_hour_marks(grid, zone),
        now_top=_minutes(now - grid.start) if grid.start <= now < grid.end else None,
    )


def _phases(
    company: Company, staff: Sequence[Staff], bounds: Interval, now: datetime
) -> list[AppointmentPhase]:
    live = Q(appointment__status=AppointmentStatus.BOOKED) | Q(
        appointment__status=AppointmentStatus.HELD, appointment__hold_expires_at__gt=now
    )
    return list(
        of_company(AppointmentPhase.objects, company)
        .filter(
            live,
            staff__in=staff,
            start_time__lt=bounds.end,
            end_time__gt=bounds.start,
        )
        .select_related("appointment__customer", "appointment__service")
        .order_by("start_time", "sequence_order")
    )


def _absences(staff: Sequence[Staff], bounds: Interval) -> list[Absence]:
    return list(Absence.objects.filter(staff__in=staff, start__lt=bounds.end, end__gt=bounds.start))


def _external(staff: Sequence[Staff], bounds: Interval) -> list[ExternalBusyBlock]:
    return list(
        ExternalBusyBlock.objects.filter(
            staff__in=staff, start__lt=bounds.end, end__gt=bounds.start
        )
    )


def _grid(
    company: Company,
    day: date,
    staff: Sequence[Staff],
    closed: bool,
    shown: Iterable[Interval],
) -> Interval:
    """From opening to closing; on a closed day the stylists' hours (or 09–18); widened to
    whole hours around anything that lies outside."""
    zone = company.zone
    windows = list(windows_on(company.weekly_opening_hours, day, zone)) if not closed else []
    if not windows:
        windows = [
            window
            for member in staff
            for window in windows_on(member.weekly_working_hours, day, zone)
        ]
    if not windows:
        opening, closing = FALLBACK_HOURS
        windows = [
            Interval(
                datetime.combine(day, opening, tzinfo=zone),
                datetime.combine(day, closing, tzinfo=zone),
            )
        ]
    everything = [*windows, *shown]
    start = min(interval.start for interval in everything)
    end = max(interval.end for interval in everything)
    return Interval(_floor_hour(start, zone), _ceil_hour(end, zone))


def _floor_hour(instant: datetime, zone: ZoneInfo) -> datetime:
    local = instant.astimezone(zone)
    return local.replace(minute=0, second=0, microsecond=0)


def _ceil_hour(instant: datetime, zone: ZoneInfo) -> datetime:
    floor = _floor_hour(instant, zone)
    return floor if floor == instant else floor + timedelta(hours=1)


def _hour_marks(grid: Interval, zone: ZoneInfo) -> list[HourMark]:
    marks = []
    instant = grid.start
    while instant < grid.end:
        marks.append(
            HourMark(instant.astimezone(zone).strftime("%H:%M"), _minutes(instant - grid.start))
        )
        instant += timedelta(hours=1)
    return marks


def _column(
    member: Staff,
    grid: Interval,
    company: Company,
    day: date,
    phases: list[AppointmentPhase],
    absences: list[Absence],
    external: list[ExternalBusyBlock],
) -> Column:
    def place(interval: Interval) -> tuple[int, int]:
        clipped = Interval(max(interval.start, grid.start), min(interval.end, grid.end))
        return _minutes(clipped.start - grid.start), max(1, _minutes(clipped.duration))

    processing = [_phase_block(phase, place) for phase in phases if not phase.staff_required]
    processing = _share_lanes(processing)
    work = [
        _phase_block(phase, place, inside=[block.interval for block in processing])
        for phase in phases
        if phase.staff_required
    ]
    others = [
        Block(
            BlockKind.ABSENCE,
            Interval(a.start, a.end),
            *place(Interval(a.start, a.end)),
            title=_("Abwesend"),
            detail=a.reason,
        )
        for a in absences
    ] + [
        Block(
            BlockKind.EXTERNAL,
            Interval(b.start, b.end),
            *place(Interval(b.start, b.end)),
            title=_("Cal.com-Termin"),
            detail=_("außerhalb von phasebook gebucht"),
        )
        for b in external
    ]
    working = list(windows_on(member.weekly_working_hours, day, company.zone))
    busy = [block.interval for block in work + others]
    return Column(
        staff=member,
        blocks=processing + work + others,
        off_duty=[place(interval) for interval in subtract([grid], working)],
        cells=_free_cells(grid, company.slot_step, subtract(working, busy)),
    )


Place = Callable[[Interval], tuple[int, int]]


def _phase_block(phase: AppointmentPhase, place: Place, inside: Sequence[Interval] = ()) -> Block:
    appointment = phase.appointment
    interval = phase.interval
    top, length = place(interval)
    service = appointment.service.name
    detail = service if phase.segment_name == service else f"{service} · {phase.segment_name}"
    return Block(
        kind=BlockKind.WORK if phase.staff_required else BlockKind.PROCESSING,
        interval=interval,
        top=top,
        length=length,
        title=appointment.contact.name,
        detail=detail,
        url=reverse("admin:booking_appointment_change", args=[appointment.pk]),
        held=appointment.status == AppointmentStatus.HELD,
        sync_status=phase.calcom_sync_status if phase.staff_required else "",
        inset=any(gap.overlaps(interval) for gap in inside),
    )


def _share_lanes(blocks: list[Block]) -> list[Block]:
    """Processing blocks that overlap each other (two colours in the same hour) are drawn
    side by side: each gets a lane, and all share the widest overlap's lane count."""
    lanes: list[datetime] = []  # per lane, the end of its last block
    placed: list[tuple[Block, int]] = []
    for block in sorted(blocks, key=lambda block: block.start):
        lane = next((i for i, end in enumerate(lanes) if end <= block.start), len(lanes))
        if lane == len(lanes):
            lanes.append(block.end)
        else:
            lanes[lane] = block.end
        placed.append((block, lane))
    count = max(1, len(lanes))
    return [replace(block, lane=lane, lanes=count) for block, lane in placed]


def _free_cells(grid: Interval, step: timedelta, free: Sequence[Interval]) -> list[Cell]:
    """Grid times at which the stylist is at work and free; whether a service fits there is
    decided when one is clicked, by the booking predicate."""
    cells = []
    instant = grid.start
    while instant < grid.end:
        cell = Interval(instant, instant + step)
        if any(window.contains(cell) for window in free):
            cells.append(Cell(instant, _minutes(instant - grid.start), _minutes(step)))
        instant += step
    return cells
