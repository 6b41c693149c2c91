"""The salon around an absence, loaded as the planner's plain values.

A fixed number of queries, whatever the salon's size: the stylists and what they perform,
the busy time of all of them (booking's own snapshot query), the absent stylist's live
appointments with their phases, and the other appointments of those appointments' clients.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet

from phasebook.booking.availability import policy_around
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
    # The absent stylist's live appointments, with service and customer, by id.
    appointments: dict[str, Appointment]


def load_salon(
    company: Company, absence: AbsencePeriod, now: datetime, search_days: int
) -> LoadedSalon:
    """Everything the plan for `absence` may look at: its days and `search_days` after."""
    window = _window(company, absence.interval, search_days)
    stylists = _stylists(company, absence.staff_id)
    movable = list(
        _live(Appointment.objects.filter(company=company, staff_id=absence.staff_id), window, now)
        .select_related("service", "customer")
        .prefetch_related(Prefetch("phases", AppointmentPhase.objects.order_by("sequence_order")))
    )
    snapshot = load_snapshot(None, [member.id for member in stylists], window, now)
    state = SalonState(
        policy=policy_around(company, window),
        now=now,
        stylists=tuple(
            _stylist(member, snapshot.busy_of(member.id), services, absence.staff_id)
            for member, services in _with_services(stylists)
        ),
        appointments=tuple(_live_appointment(appointment) for appointment in movable),
        customer_busy=_customer_busy(movable, window, now),
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


def _stylists(company: Company, absent_id: str) -> list[Staff]:
    # The absent stylist even if inactive: their appointments still need a home.
    return list(
        Staff.objects.filter(company=company)
        .filter(Q(is_active=True) | Q(pk=absent_id))
        .prefetch_related("services")
    )


def _with_services(stylists: list[Staff]) -> list[tuple[Staff, frozenset[int]]]:
    return [
        (
            member,
            frozenset(service.pk for service in member.services.all())
            if member.is_active
            else frozenset(),
        )
        for member in stylists
    ]


def _stylist(member: Staff, busy: list[Busy], services: frozenset[int], absent_id: str) -> Stylist:
    if str(member.id) == absent_id:
        # Their phases come with the movable appointments, which the plan keeps track of.
        busy = [item for item in busy if item.kind is not BusyKind.PHASE]
    return Stylist(str(member.id), member.name, member.weekly_working_hours, services, tuple(busy))


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
        customer_id=str(appointment.customer_id),
        phases=tuple(_planned(phase) for phase in appointment.phases.all()),
        held=appointment.status == AppointmentStatus.HELD,
    )


def _planned(phase: AppointmentPhase) -> PlannedPhase:
    segment = Segment(
        phase.segment_key, phase.segment_name, phase.duration_minutes, phase.staff_required
    )
    return PlannedPhase(segment, phase.sequence_order, phase.interval)


def _customer_busy(
    movable: list[Appointment], window: Interval, now: datetime
) -> dict[str, tuple[Busy, ...]]:
    """The clients' other live appointments (those the plan does not move)."""
    others = _live(
        Appointment.objects.filter(
            customer__in={appointment.customer_id for appointment in movable}
        ),
        window,
        now,
    ).exclude(pk__in=[appointment.pk for appointment in movable])
    busy: defaultdict[str, list[Busy]] = defaultdict(list)
    for customer_id, start, end in others.values_list("customer_id", "start", "end"):
        busy[str(customer_id)].append(Busy(Interval(start, end), BusyKind.APPOINTMENT))
    return {customer: tuple(items) for customer, items in busy.items()}
