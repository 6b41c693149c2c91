"""The salon around an absence, loaded as the planner's plain values.

Six queries, whatever the salon's size: the stylists, what they perform, the busy time of
all of them from the absence's first day to the last day a new time may be searched
(booking's own snapshot query), the absent stylist's live appointments during the absence
with their phases, and the other live appointments of those appointments' clients.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet

from phasebook.booking.availability import Caller, policy_around
from phasebook.booking.models import Appointment, AppointmentPhase, AppointmentStatus
from phasebook.booking.snapshot import load_snapshot
from phasebook.salons.models import Company, Staff
from phasebook.scheduling.availability import Busy, BusyKind
from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.phases import PlannedPhase
from phasebook.scheduling.replan import AbsencePeriod, LiveAppointment, SalonState, Stylist
from phasebook.scheduling.segments import Segment


@dataclass(frozen=True)
class LoadedSalon:
    state: SalonState
    # The absent stylist's live appointments during the absence (with service and
    # customer), by id: the ones the plan may move.
    appointments: dict[str, Appointment]


def load_salon(
    company: Company, absence: AbsencePeriod, now: datetime, search_days: int
) -> LoadedSalon:
    """Everything the plan for `absence` may look at: its days and `search_days` after."""
    window = _window(company, absence.interval, search_days)
    stylists = list(
        # The absent stylist even if inactive: their appointments still need a home.
        Staff.objects.filter(company=company).filter(Q(is_active=True) | Q(pk=absence.staff_id))
    )
    services = _services(company)
    movable = _movable(company, absence, now)
    snapshot = load_snapshot(None, [member.id for member in stylists], window, now)
    moving = {phase.interval for appointment in movable for phase in appointment.phases.all()}
    state = SalonState(
        policy=policy_around(company, window),
        now=now,
        stylists=tuple(
            _stylist(
                member,
                snapshot.busy_of(member.id),
                services[member.id],
                moving if str(member.id) == absence.staff_id else set(),
            )
            for member in stylists
        ),
        appointments=tuple(_live_appointment(appointment) for appointment in movable),
        customer_busy=_customer_busy(company, movable, window, now),
    )
    return LoadedSalon(state, {str(appointment.id): appointment for appointment in movable})


def _window(company: Company, period: Interval, search_days: int) -> Interval:
    """From the local midnight before the absence to the end of the last day searched."""
    zone = company.zone
    first = period.start.astimezone(zone).date()
    last = period.end.astimezone(zone).date() + timedelta(days=search_days + 1)
    return Interval(_midnight(first, company), _midnight(last, company))


def _midnight(day: date, company: Company) -> datetime:
    return datetime.combine(day, time(), tzinfo=company.zone).astimezone(UTC)


def _services(company: Company) -> defaultdict[object, frozenset[int]]:
    """The services each active stylist performs."""
    performs: defaultdict[object, set[int]] = defaultdict(set)
    pairs = Staff.services.through.objects.filter(staff__company=company, staff__is_active=True)
    for staff_id, service_id in pairs.values_list("staff_id", "service_id"):
        performs[staff_id].add(service_id)
    return defaultdict(frozenset, {staff: frozenset(ids) for staff, ids in performs.items()})


def _movable(company: Company, absence: AbsencePeriod, now: datetime) -> list[Appointment]:
    """The absent stylist's live appointments that overlap the absence: only these can
    break, and so only these may move."""
    appointments = Appointment.objects.filter(company=company, staff_id=absence.staff_id)
    return list(
        _live(appointments, absence.interval, now)
        .select_related("service", "customer")
        .prefetch_related(Prefetch("phases", AppointmentPhase.objects.order_by("sequence_order")))
    )


def _stylist(
    member: Staff, busy: list[Busy], services: frozenset[int], moving: set[Interval]
) -> Stylist:
    # The phases of the appointments that may move (`moving`, the absent stylist's) are the
    # planner's to place. One stylist's blocking phases never overlap, so within a
    # stylist's busy time an interval names its phase.
    fixed = tuple(
        item for item in busy if not (item.kind is BusyKind.PHASE and item.interval in moving)
    )
    return Stylist(str(member.id), member.name, member.weekly_working_hours, services, fixed)


def _live(
    appointments: QuerySet[Appointment], window: Interval, now: datetime
) -> QuerySet[Appointment]:
    """Live appointments overlapping `window`; a run-out hold blocks nobody."""
    return appointments.filter(is_live=True, start__lt=window.end, end__gt=window.start).exclude(
        status=AppointmentStatus.HELD, hold_expires_at__lte=now
    )


def _live_appointment(appointment: Appointment) -> LiveAppointment:
    service = appointment.service
    return LiveAppointment(
        appointment_id=str(appointment.id),
        service_id=service.pk,
        service_name=service.name,
        segments=service.segment_list,
        staff_id=str(appointment.staff_id),
        customer_id=_client_key(appointment),
        phases=tuple(_planned(phase) for phase in appointment.phases.all()),
        held=appointment.status == AppointmentStatus.HELD,
    )


def _planned(phase: AppointmentPhase) -> PlannedPhase:
    segment = Segment(
        phase.segment_key, phase.segment_name, phase.duration_minutes, phase.staff_required
    )
    return PlannedPhase(segment, phase.sequence_order, phase.interval)


def _client_key(appointment: Appointment) -> str:
    """Who the client is, to keep their appointments apart: their phone number, by which
    customers are found and which holds (no customer yet) carry; else the customer; else
    (a hold without a number) nobody with other appointments."""
    phone = Caller.of(appointment).phone
    if phone:
        return phone
    if appointment.customer_id is not None:
        return f"customer {appointment.customer_id}"
    return f"appointment {appointment.pk}"


def _customer_busy(
    company: Company, movable: list[Appointment], window: Interval, now: datetime
) -> dict[str, tuple[Busy, ...]]:
    """The clients' other live appointments (those the plan does not move), by client."""
    customers = {item.customer_id for item in movable if item.customer_id is not None}
    phones = {phone for item in movable if (phone := Caller.of(item).phone)}
    theirs = Appointment.objects.filter(
        Q(customer__in=customers) | Q(company=company, caller_phone__in=phones)
    )
    others = (
        _live(theirs, window, now)
        .exclude(pk__in=[item.pk for item in movable])
        .select_related("customer")
    )
    busy: defaultdict[str, list[Busy]] = defaultdict(list)
    for other in others:
        busy[_client_key(other)].append(Busy(other.interval, BusyKind.APPOINTMENT))
    return {client: tuple(items) for client, items in busy.items()}
