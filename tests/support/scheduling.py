"""Plain builders for the scheduling core (the scheduling tests, booking/test_rendering.py):
a Berlin salon, its services and stylists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from phasebook.scheduling.availability import Busy, BusyKind, Policy, StaffSchedule
from phasebook.scheduling.calendar import WeeklyHours, parse_weekly_hours
from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.phases import plan_phases
from phasebook.scheduling.replan import AbsencePeriod, LiveAppointment, SalonState, Stylist
from phasebook.scheduling.segments import Segment, parse_segments

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Ansatzfärbung: apply 30, processing 30 (stylist free), wash 20, cut 40, blow-dry 40.
COLOUR = parse_segments(
    [
        {"key": "A", "name": "Farbe auftragen", "duration_minutes": 30, "staff_required": True},
        {"key": "GAP_A", "name": "Einwirkzeit", "duration_minutes": 30, "staff_required": False},
        {"key": "B", "name": "Auswaschen", "duration_minutes": 20, "staff_required": True},
        {"key": "C", "name": "Formschnitt", "duration_minutes": 40, "staff_required": True},
        {"key": "D", "name": "Föhnen & Styling", "duration_minutes": 40, "staff_required": True},
    ]
)
CUT = parse_segments(
    [{"key": "A", "name": "Herrenhaarschnitt", "duration_minutes": 30, "staff_required": True}]
)

# A Monday well away from any clock change; the tests' "now" is the Friday before.
MONDAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 12, 12, 0, tzinfo=UTC)


def segments(*parts: tuple[str, int, bool]) -> tuple[Segment, ...]:
    return parse_segments(
        [
            {"key": key, "name": key, "duration_minutes": minutes, "staff_required": staff}
            for key, minutes, staff in parts
        ]
    )


def hours(spans: Sequence[tuple[str, str]], days: Sequence[str] = WEEKDAYS) -> WeeklyHours:
    return parse_weekly_hours({day: [list(span) for span in spans] for day in days})


def at(day: date, clock: str, zone: ZoneInfo = BERLIN) -> datetime:
    """A local wall-clock time as an aware instant (the first one, if it is repeated)."""
    return datetime.fromisoformat(f"{day.isoformat()}T{clock}").replace(tzinfo=zone)


def clock(instant: datetime, zone: ZoneInfo = BERLIN) -> str:
    """The local wall-clock time of an instant, e.g. "09:15"."""
    return f"{instant.astimezone(zone):%H:%M}"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def span(day: date, start: str, end: str) -> Interval:
    return Interval(at(day, start), at(day, end))


def policy(
    opening: WeeklyHours | None = None,
    closed: Sequence[date] = (),
    min_notice: timedelta = timedelta(hours=1),
    horizon: timedelta = timedelta(days=90),
    step: timedelta = timedelta(minutes=15),
) -> Policy:
    return Policy(
        zone=BERLIN,
        opening_hours=opening or hours([("09:00", "18:00")], WEEKDAYS[:6]),
        closed_dates=frozenset(closed),
        min_notice=min_notice,
        horizon=horizon,
        slot_step=step,
    )


def stylist(
    staff_id: str = "anna",
    busy: Sequence[Busy] = (),
    working: WeeklyHours | None = None,
    qualified: bool = True,
) -> StaffSchedule:
    return StaffSchedule(
        staff_id=staff_id,
        name=staff_id.capitalize(),
        working_hours=working or hours([("09:00", "18:00")], WEEKDAYS[:6]),
        busy=tuple(busy),
        qualified=qualified,
    )


def busy(interval: Interval, kind: BusyKind = BusyKind.PHASE, label: str = "") -> Busy:
    return Busy(interval, kind, label)


# --- the salon around an absence, for the re-planning tests ---------------------------------

COLOUR_ID, CUT_ID = 1, 2
SERVICE_NAMES = {COLOUR_ID: "Ansatzfärbung", CUT_ID: "Herrenhaarschnitt"}
SERVICE_SEGMENTS = {COLOUR_ID: COLOUR, CUT_ID: CUT}


def salon_stylist(
    staff_id: str,
    busy: Sequence[Busy] = (),
    services: Sequence[int] = (COLOUR_ID, CUT_ID),
    working: WeeklyHours | None = None,
) -> Stylist:
    return Stylist(
        staff_id=staff_id,
        name=staff_id.capitalize(),
        working_hours=working or hours([("09:00", "18:00")], WEEKDAYS[:6]),
        services=frozenset(services),
        busy=tuple(busy),
    )


def booked(
    appointment_id: str,
    staff_id: str,
    start: datetime,
    service_id: int = COLOUR_ID,
    customer_id: str = "",
    held: bool = False,
) -> LiveAppointment:
    segments = SERVICE_SEGMENTS[service_id]
    return LiveAppointment(
        appointment_id=appointment_id,
        service_id=service_id,
        service_name=SERVICE_NAMES[service_id],
        segments=segments,
        staff_id=staff_id,
        customer_id=customer_id or f"customer of {appointment_id}",
        phases=plan_phases(segments, start),
        held=held,
    )


def salon_state(
    stylists: Sequence[Stylist],
    appointments: Sequence[LiveAppointment],
    now: datetime = NOW,
    customer_busy: dict[str, tuple[Busy, ...]] | None = None,
) -> SalonState:
    return SalonState(policy(), now, tuple(stylists), tuple(appointments), customer_busy or {})


def absent(staff_id: str, interval: Interval, reason: str = "krank") -> AbsencePeriod:
    return AbsencePeriod(staff_id, interval, reason)
