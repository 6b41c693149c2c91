"""What an absence's plan and its application show: typed shapes (pydantic models), times
in the salon's zone, texts in the active language. The API answers with these models, the
command and the portal render from them. Rendering reads what it is given and writes
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel

from phasebook.absences.plans import PlannedStep, steps_of
from phasebook.absences.services import AbsencePlan, AppliedAbsence, Result, StepOutcome
from phasebook.booking.models import Appointment, AppointmentStatus
from phasebook.booking.texts import translated
from phasebook.scheduling.explain import Sentence
from phasebook.scheduling.phases import PlannedPhase
from phasebook.scheduling.replan import Action, PlanEntry


class PhaseSpanOut(BaseModel):
    segment_key: str
    segment_name: str
    start: AwareDatetime
    end: AwareDatetime


class OutcomeOut(BaseModel):
    """What applying did with one appointment; `message` says why it was left as it is."""

    result: Result
    message: str = ""
    error: str | None = None  # the booking error's code, if the booking path refused


class PlanEntryOut(BaseModel):
    """One appointment the absence breaks: where it is, and where the plan puts it."""

    appointment_id: UUID
    status: str
    service_name: str
    customer_name: str
    start: AwareDatetime
    end: AwareDatetime
    staff_id: UUID
    staff_name: str
    collisions: list[PhaseSpanOut]  # its staff phases inside the absence (in a plan)
    action: Action
    new_start: AwareDatetime | None = None
    new_end: AwareDatetime | None = None
    new_staff_id: UUID | None = None
    new_staff_name: str | None = None
    explanation: list[str]  # why, and what the plan does (in a plan)
    details: list[str]  # each colleague's first conflict at the old times (in a plan)
    outcome: OutcomeOut | None = None  # once applied


class CallChange(StrEnum):
    NEW_STYLIST = "new_stylist"  # same time, another stylist
    NEW_TIME = "new_time"
    NO_TIME = "no_time"  # still to be agreed on the phone


class CustomerToCallOut(BaseModel):
    appointment_id: UUID
    name: str
    phone: str
    service_name: str
    old_start: AwareDatetime
    old_staff_name: str
    new_start: AwareDatetime | None
    new_staff_name: str | None
    change: CallChange


class AbsenceOut(BaseModel):
    """The impact and the plan of an absence (`applied` false: nothing was written), or
    what applying it did (`applied` true). Entries are in the order the plan applies them."""

    applied: bool
    plan_id: str | None  # to apply this plan later; none once applied
    expires_at: AwareDatetime | None
    absence_id: int | None
    staff_id: UUID
    staff_name: str
    start: AwareDatetime
    end: AwareDatetime
    reason: str
    entries: list[PlanEntryOut]
    customers_to_call: list[CustomerToCallOut]


@dataclass(frozen=True)
class _Row:
    step: PlannedStep
    appointment: Appointment
    planned: PlanEntry | None  # the planner's entry, when the plan was made in this call
    outcome: StepOutcome | None


def render_plan(plan: AbsencePlan) -> AbsenceOut:
    entries = {entry.appointment.appointment_id: entry for entry in plan.replan.entries}
    rows = [
        _Row(step, plan.appointments[step.appointment_id], entries[step.appointment_id], None)
        for step in steps_of(plan.replan)
    ]
    absence = plan.replan.absence
    zone = plan.company.zone
    return AbsenceOut(
        applied=False,
        plan_id=plan.plan_id,
        expires_at=_local(plan.expires_at, zone),
        absence_id=None,
        staff_id=plan.staff.pk,
        staff_name=plan.staff.name,
        start=_local(absence.interval.start, zone),
        end=_local(absence.interval.end, zone),
        reason=absence.reason,
        entries=[_entry(row, plan.staff_names, zone) for row in rows],
        customers_to_call=_customers_to_call(rows, plan.staff_names, zone),
    )


def render_applied(applied: AppliedAbsence) -> AbsenceOut:
    absence = applied.absence
    zone = applied.company.zone
    planned = (
        {entry.appointment.appointment_id: entry for entry in applied.plan.replan.entries}
        if applied.plan
        else {}
    )
    rows = [
        _Row(
            outcome.step,
            applied.appointments[outcome.step.appointment_id],
            planned.get(outcome.step.appointment_id),
            outcome,
        )
        for outcome in applied.outcomes
        if outcome.step.appointment_id in applied.appointments
    ]
    return AbsenceOut(
        applied=True,
        plan_id=None,
        expires_at=None,
        absence_id=absence.pk,
        staff_id=absence.staff_id,
        staff_name=absence.staff.name,
        start=_local(absence.start, zone),
        end=_local(absence.end, zone),
        reason=absence.reason,
        entries=[_entry(row, applied.staff_names, zone) for row in rows],
        customers_to_call=_customers_to_call(rows, applied.staff_names, zone),
    )


def _entry(row: _Row, names: Mapping[str, str], zone: ZoneInfo) -> PlanEntryOut:
    step, appointment, planned = row.step, row.appointment, row.planned
    new_end = planned.move.interval.end if planned and planned.move else None
    return PlanEntryOut(
        appointment_id=appointment.pk,
        status=appointment.status,
        service_name=appointment.service.name,
        customer_name=appointment.contact.name,
        start=_local(step.from_start, zone),
        end=_local(step.from_start + (appointment.end - appointment.start), zone),
        staff_id=UUID(step.from_staff_id),
        staff_name=names.get(step.from_staff_id, ""),
        collisions=[_span(phase, zone) for phase in planned.collisions] if planned else [],
        action=step.action,
        new_start=_local(step.to_start, zone) if step.to_start else None,
        new_end=_local(new_end, zone) if new_end else None,
        new_staff_id=UUID(step.to_staff_id) if step.to_staff_id else None,
        new_staff_name=names.get(step.to_staff_id) if step.to_staff_id else None,
        explanation=_texts(planned.explanation) if planned else [],
        details=_texts(planned.details) if planned else [],
        outcome=_outcome(row.outcome) if row.outcome else None,
    )


def _customers_to_call(
    rows: Sequence[_Row], names: Mapping[str, str], zone: ZoneInfo
) -> list[CustomerToCallOut]:
    """The clients of booked appointments the absence moves or leaves without a time.

    Holds are left out (the caller is on the phone), and so are appointments that have
    begun or that someone changed since the plan was made (a person is on it already).
    """
    calls: list[CustomerToCallOut] = []
    for row in rows:
        step, appointment = row.step, row.appointment
        if step.action in (Action.RELEASE_HOLD, Action.LEAVE):
            continue
        if row.outcome and row.outcome.result is Result.CHANGED:
            continue
        if appointment.status == AppointmentStatus.HELD:
            continue
        moved = step.to_start is not None and (
            row.outcome is None or row.outcome.result is Result.MOVED
        )
        calls.append(
            CustomerToCallOut(
                appointment_id=appointment.pk,
                name=appointment.contact.name,
                phone=appointment.contact.phone,
                service_name=appointment.service.name,
                old_start=_local(step.from_start, zone),
                old_staff_name=names.get(step.from_staff_id, ""),
                new_start=_local(step.to_start, zone) if moved and step.to_start else None,
                new_staff_name=names.get(step.to_staff_id) if moved and step.to_staff_id else None,
                change=_change(step, moved),
            )
        )
    return sorted(calls, key=lambda call: call.old_start)


def _change(step: PlannedStep, moved: bool) -> CallChange:
    if not moved:
        return CallChange.NO_TIME
    if step.to_start == step.from_start:
        return CallChange.NEW_STYLIST
    return CallChange.NEW_TIME


def _outcome(outcome: StepOutcome) -> OutcomeOut:
    return OutcomeOut(
        result=outcome.result,
        message=translated(outcome.message) if outcome.message else "",
        error=outcome.error or None,
    )


def _span(phase: PlannedPhase, zone: ZoneInfo) -> PhaseSpanOut:
    return PhaseSpanOut(
        segment_key=phase.key,
        segment_name=phase.segment.name,
        start=_local(phase.interval.start, zone),
        end=_local(phase.interval.end, zone),
    )


def _texts(sentences: Sequence[Sentence]) -> list[str]:
    return [translated(sentence) for sentence in sentences]


def _local(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone)
