"""What callers are shown: services, slots, appointments with their phases, and explanations,
as typed shapes (pydantic models), times in the company's zone, texts in the active language.

The API answers with these models (they are its OpenAPI schema), the admin and the phone agent
render from them, so every edge says the same thing in the same shape. Rendering reads what
it is given and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel

from phasebook.booking import events
from phasebook.booking.models import Appointment, AppointmentEvent, AppointmentPhase
from phasebook.booking.texts import translated
from phasebook.salons.models import Service
from phasebook.scheduling.availability import Conflict, Policy, Slot, Verdict
from phasebook.scheduling.explain import describe
from phasebook.scheduling.intervals import Interval


class SegmentOut(BaseModel):
    key: str
    name: str
    duration_minutes: int
    staff_required: bool


class ServiceOut(BaseModel):
    id: int
    name: str
    duration_minutes: int
    is_composite: bool
    segments: list[SegmentOut]
    staff_ids: list[UUID]


class SlotOut(BaseModel):
    start: AwareDatetime
    end: AwareDatetime
    staff_id: UUID
    staff_name: str = ""


class PhaseOut(BaseModel):
    id: int
    segment_key: str
    segment_name: str
    start_time: AwareDatetime
    end_time: AwareDatetime
    duration_minutes: int
    staff_required: bool
    sequence_order: int
    calcom_sync_status: str
    calcom_booking_uid: str
    calcom_booking_id: int | None


class CustomerOut(BaseModel):
    """Whom the appointment is for. `id` is null for a hold: its caller becomes a customer
    only when it is booked; `name` is then the name the caller gave."""

    id: int | None
    name: str


class ActorOut(BaseModel):
    """Who made a change: `kind` is admin, api, phone or system; `label` the user name, the
    token's name, the call id or the task, as they were then."""

    kind: str
    kind_label: str
    label: str
    call_id: str


class EventOut(BaseModel):
    """One change of an appointment: what, when and by whom, as a sentence and as fields."""

    kind: str
    at: AwareDatetime
    actor: ActorOut
    description: str
    from_start: AwareDatetime | None
    to_start: AwareDatetime | None
    from_staff_id: UUID | None
    to_staff_id: UUID | None
    phase_segment_key: str | None
    note: str
    absence_id: int | None  # the stylist's absence that the move repaired, if any


class AppointmentOut(BaseModel):
    id: UUID
    status: str
    start: AwareDatetime
    end: AwareDatetime
    service_id: int
    service_name: str
    staff_id: UUID
    staff_name: str
    customer: CustomerOut
    expires_at: AwareDatetime | None
    source: str
    calcom_sync_status: str
    requires_manual_review: bool
    cancel_reason: str
    phases: list[PhaseOut]
    history: list[EventOut]


class SpanOut(BaseModel):
    start: AwareDatetime
    end: AwareDatetime


class ReasonPhaseOut(SpanOut):
    segment_key: str
    segment_name: str


class ReasonOut(BaseModel):
    """One rule a start breaks: which, for which stylist and phase, and what is in the way."""

    rule: str
    message: str
    staff_id: str | None
    phase: ReasonPhaseOut | None
    conflicting_interval: SpanOut | None
    conflicting_label: str | None


class StaffVerdictOut(BaseModel):
    staff_id: str
    name: str
    possible: bool
    reasons: list[ReasonOut]


class ExplainedPhaseOut(SpanOut):
    segment_key: str
    segment_name: str
    staff_required: bool


class ExplanationOut(BaseModel):
    """Whether a start is bookable; the salon's reasons first, then each stylist's."""

    possible: bool
    start: AwareDatetime
    end: AwareDatetime
    bookable_staff_ids: list[str]
    reasons: list[ReasonOut]
    staff: list[StaffVerdictOut]
    phases: list[ExplainedPhaseOut]


@dataclass(frozen=True)
class Explained:
    """A verdict with what it takes to put it into words: the salon's policy (its zone, its
    rules' numbers) and the stylists' names."""

    verdict: Verdict
    policy: Policy
    staff_names: Mapping[str, str]

    def all_conflicts(self) -> list[Conflict]:
        """The salon's conflicts first, then every stylist's."""
        staff = [c for conflicts in self.verdict.staff_conflicts.values() for c in conflicts]
        return [*self.verdict.salon_conflicts, *staff]


def render_service(service: Service) -> ServiceOut:
    """A service with its segments and active stylists (prefetch `staff` for lists)."""
    return ServiceOut(
        id=service.pk,
        name=service.name,
        duration_minutes=service.duration_minutes,
        is_composite=service.is_composite,
        segments=[SegmentOut(**segment.as_dict()) for segment in service.segment_list],
        staff_ids=[member.pk for member in service.staff.all() if member.is_active],
    )


def render_slot(slot: Slot, zone: ZoneInfo, staff_names: Mapping[str, str]) -> SlotOut:
    return SlotOut(
        start=slot.start.astimezone(zone),
        end=slot.end.astimezone(zone),
        staff_id=UUID(slot.staff_id),
        staff_name=staff_names.get(slot.staff_id, ""),
    )


def render_phase(phase: AppointmentPhase, zone: ZoneInfo) -> PhaseOut:
    return PhaseOut(
        id=phase.pk,
        segment_key=phase.segment_key,
        segment_name=phase.segment_name,
        start_time=phase.start_time.astimezone(zone),
        end_time=phase.end_time.astimezone(zone),
        duration_minutes=phase.duration_minutes,
        staff_required=phase.staff_required,
        sequence_order=phase.sequence_order,
        calcom_sync_status=phase.calcom_sync_status,
        calcom_booking_uid=phase.calcom_booking_uid,
        calcom_booking_id=phase.calcom_booking_id,
    )


def _local(instant: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if instant is None else instant.astimezone(zone)


def render_event(event: AppointmentEvent, zone: ZoneInfo) -> EventOut:
    return EventOut(
        kind=event.kind,
        at=event.at.astimezone(zone),
        actor=ActorOut(
            kind=event.actor_kind,
            kind_label=str(event.get_actor_kind_display()),
            label=event.actor_label,
            call_id=event.actor_call_id,
        ),
        description=translated(events.describe(event, zone)),
        from_start=_local(event.from_start, zone),
        to_start=_local(event.to_start, zone),
        from_staff_id=event.from_staff_id,
        to_staff_id=event.to_staff_id,
        phase_segment_key=event.phase.segment_key if event.phase else None,
        note=event.note,
        absence_id=event.absence_id,
    )


def render_history(
    appointment: Appointment, events: Iterable[AppointmentEvent] | None = None
) -> list[EventOut]:
    """The appointment's events, oldest first: read, unless the caller has them."""
    zone = appointment.company.zone
    if events is None:
        events = appointment.events.select_related(
            "from_staff", "to_staff", "phase", "absence__staff"
        )
    return [render_event(event, zone) for event in events]


def render_appointment(
    appointment: Appointment, history: Iterable[AppointmentEvent] | None = None
) -> AppointmentOut:
    """An appointment with its phases in order and its history (select_related company,
    service, staff and customer, as `access_appointment` does). `history`: its events, if
    the caller has them all, e.g. the answer to the write that created it (reading them
    back with their joins took two thirds of that answer's time, bench/README.md)."""
    zone = appointment.company.zone
    return AppointmentOut(
        id=appointment.pk,
        status=appointment.status,
        start=appointment.start.astimezone(zone),
        end=appointment.end.astimezone(zone),
        service_id=appointment.service_id,
        service_name=appointment.service.name,
        staff_id=appointment.staff_id,
        staff_name=appointment.staff.name,
        customer=CustomerOut(id=appointment.customer_id, name=appointment.contact.name),
        expires_at=_local(appointment.hold_expires_at, zone),
        source=appointment.source,
        calcom_sync_status=appointment.calcom_sync_status,
        requires_manual_review=appointment.requires_manual_review,
        cancel_reason=appointment.cancel_reason,
        phases=[
            render_phase(phase, zone) for phase in appointment.phases.order_by("sequence_order")
        ],
        history=render_history(appointment, history),
    )


def _span(interval: Interval, zone: ZoneInfo) -> dict[str, datetime]:
    return {"start": interval.start.astimezone(zone), "end": interval.end.astimezone(zone)}


def render_reason(conflict: Conflict, explained: Explained) -> ReasonOut:
    zone, phase, blocking = explained.policy.zone, conflict.phase, conflict.blocking
    sentence = describe(conflict, explained.verdict, explained.policy, explained.staff_names)
    return ReasonOut(
        rule=conflict.rule.value,
        message=translated(sentence),
        staff_id=conflict.staff_id,
        phase=None
        if phase is None
        else ReasonPhaseOut(
            segment_key=phase.key,
            segment_name=phase.segment.name,
            **_span(phase.interval, zone),
        ),
        conflicting_interval=None
        if blocking is None
        else SpanOut(**_span(blocking.interval, zone)),
        conflicting_label=None if blocking is None else blocking.label,
    )


def render_reasons(explained: Explained) -> list[ReasonOut]:
    """Every conflict of the verdict, the salon's first."""
    return [render_reason(conflict, explained) for conflict in explained.all_conflicts()]


def render_explanation(explained: Explained) -> ExplanationOut:
    verdict, zone, names = explained.verdict, explained.policy.zone, explained.staff_names
    salon_conflicts = verdict.salon_conflicts
    return ExplanationOut(
        possible=verdict.possible,
        start=verdict.phases[0].interval.start.astimezone(zone),
        end=verdict.phases[-1].interval.end.astimezone(zone),
        bookable_staff_ids=verdict.bookable_staff,
        reasons=[render_reason(conflict, explained) for conflict in salon_conflicts],
        staff=[
            StaffVerdictOut(
                staff_id=staff_id,
                name=names.get(staff_id, ""),
                possible=not salon_conflicts and not conflicts,
                reasons=[render_reason(conflict, explained) for conflict in conflicts],
            )
            for staff_id, conflicts in verdict.staff_conflicts.items()
        ],
        phases=[
            ExplainedPhaseOut(
                segment_key=phase.key,
                segment_name=phase.segment.name,
                staff_required=phase.staff_required,
                **_span(phase.interval, zone),
            )
            for phase in verdict.phases
        ],
    )
