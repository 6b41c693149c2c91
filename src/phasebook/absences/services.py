"""A stylist's absence: the plan (a dry run) and applying it in one step.

`plan_absence` writes nothing: it loads the salon around the absence, asks the planner
(`scheduling.replan`) and returns the impact, the plan and the plan's id (the plan itself,
signed: see `plans.py`).

`apply_absence` applies a plan, the one of a plan id or the one proposed now:
1. it records the absence (the same absence again is recorded once), so that from then on
   no booking can take the absent stylist's time;
2. it makes the plan's steps in the plan's order, each through the booking path, which
   locks, re-checks and writes in a transaction of its own: the same times with a
   colleague by `hand_over_appointment` (no minimum notice asked again, as in the plan),
   another time by `reschedule_appointment`, a release by `cancel_appointment`; each move
   is one event in its appointment's history, with the absence as its reason;
3. a step whose appointment is no longer where the plan found it, or that the booking path
   now refuses, is left as it is and reported, for a person to decide; the other steps
   still go ahead. Nothing is forced.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_noop

from phasebook.absences.errors import InvalidPlan
from phasebook.absences.loading import load_salon
from phasebook.absences.plans import (
    PLAN_MAX_AGE,
    PlanIntent,
    PlannedStep,
    issue_plan_id,
    read_plan_id,
    steps_of,
)
from phasebook.booking.access import access_appointment
from phasebook.booking.errors import BookingError, InvalidRequest, NotFound
from phasebook.booking.events import Actor
from phasebook.booking.models import Appointment, AppointmentStatus
from phasebook.booking.services import (
    cancel_appointment,
    hand_over_appointment,
    reschedule_appointment,
)
from phasebook.salons.models import Absence, Company, Staff
from phasebook.salons.tenancy import of_company
from phasebook.scheduling.explain import Sentence
from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.replan import SEARCH_DAYS, AbsencePeriod, Action, Replan, replan

MAX_ABSENCE_DAYS = 31  # a longer absence is entered in parts
MAX_REASON_LENGTH = 200  # Absence.reason


@dataclass(frozen=True)
class AbsencePlan:
    company: Company
    staff: Staff
    replan: Replan
    appointments: Mapping[str, Appointment]  # the broken ones (and the stylist's others)
    staff_names: Mapping[str, str]  # every stylist's, by id
    plan_id: str
    expires_at: datetime


class Result(StrEnum):
    MOVED = "moved"  # rescheduled as planned
    RELEASED = "released"  # the hold was let go
    SKIPPED = "skipped"  # the caller chose to leave it
    CHANGED = "changed"  # no longer where the plan found it: left as it is
    REFUSED = "refused"  # the booking path refused the move now: left as it is
    LEFT = "left"  # the plan had no move for it (call list, already begun)


@dataclass(frozen=True)
class StepOutcome:
    step: PlannedStep
    result: Result
    message: str = ""  # why it was left, German (marked for translation, or a Sentence)
    error: str = ""  # the booking error's code, if refused


@dataclass(frozen=True)
class AppliedAbsence:
    company: Company
    absence: Absence
    outcomes: tuple[StepOutcome, ...]
    appointments: Mapping[str, Appointment]  # the plan's appointments as they are now
    staff_names: Mapping[str, str]  # every stylist's, by id
    plan: AbsencePlan | None  # the plan, if it was proposed in the same call


CHANGED_MESSAGE = gettext_noop("Der Termin wurde seit der Planung geändert und bleibt, wie er ist.")


def check_absence(
    company: Company, staff_id: Any, start: datetime, end: datetime, reason: str, now: datetime
) -> tuple[Staff, AbsencePeriod]:
    """The company's stylist and the absence, or the BookingError that says what is wrong."""
    staff = _access_staff(company, staff_id)
    if end <= start:
        raise InvalidRequest(gettext_noop("„end“ muss nach „start“ liegen."), field="end")
    if end - start > timedelta(days=MAX_ABSENCE_DAYS):
        raise InvalidRequest(
            Sentence(
                gettext_noop("Bitte höchstens %(days)d Tage auf einmal eintragen."),
                {"days": MAX_ABSENCE_DAYS},
            ),
            field="end",
        )
    if end <= now:
        raise InvalidRequest(gettext_noop("Die Abwesenheit ist schon vorbei."), field="end")
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidRequest(
            gettext_noop("Der Grund ist zu lang (höchstens 200 Zeichen)."), field="reason"
        )
    return staff, AbsencePeriod(str(staff.pk), Interval(start, end), reason.strip())


def plan_absence(
    company: Company,
    staff_id: Any,
    start: datetime,
    end: datetime,
    reason: str = "",
    now: datetime | None = None,
) -> AbsencePlan:
    """The impact of the absence and the plan to repair it. Writes nothing."""
    now = now or timezone.now()
    staff, period = check_absence(company, staff_id, start, end, reason, now)
    loaded = load_salon(company, period, now, SEARCH_DAYS)
    proposed = replan(loaded.state, period, SEARCH_DAYS)
    plan_id = issue_plan_id(PlanIntent(company.pk, period, steps_of(proposed)))
    names = {stylist.staff_id: stylist.name for stylist in loaded.state.stylists}
    return AbsencePlan(
        company, staff, proposed, loaded.appointments, names, plan_id, now + PLAN_MAX_AGE
    )


def apply_absence(
    company: Company,
    staff_id: Any,
    start: datetime,
    end: datetime,
    reason: str = "",
    plan_id: str | None = None,
    skip: Collection[str] = (),
    now: datetime | None = None,
    *,
    actor: Actor,
) -> AppliedAbsence:
    """Record the absence and apply the plan of `plan_id`, or the plan proposed now; the
    appointments in `skip` are left as they are (see the module for the steps). Each move
    is in its appointment's history as `actor`'s."""
    now = now or timezone.now()
    plan: AbsencePlan | None = None
    if plan_id is None:
        plan = plan_absence(company, staff_id, start, end, reason, now)
        intent = PlanIntent(company.pk, _period(plan), steps_of(plan.replan))
    else:
        _, period = check_absence(company, staff_id, start, end, reason, now)
        intent = read_plan_id(plan_id, company.pk)
        _check_same_absence(intent, period)
    _check_skip(intent, skip)
    absence = record_absence(company, intent.absence)
    outcomes = tuple(
        _apply_step(company, absence, step, set(skip), now, actor) for step in intent.steps
    )
    appointments = (
        of_company(Appointment.objects, company)
        .select_related("service", "staff", "customer")
        .in_bulk([step.appointment_id for step in intent.steps])
    )
    names = dict(of_company(Staff.objects, company).values_list("id", "name"))
    return AppliedAbsence(
        company,
        absence,
        outcomes,
        {str(pk): item for pk, item in appointments.items()},
        {str(pk): name for pk, name in names.items()},
        plan,
    )


def record_absence(company: Company, period: AbsencePeriod) -> Absence:
    """The stylist's absence for exactly this period, recorded once (a retry finds it)."""
    staff = _access_staff(company, period.staff_id)
    absence, _ = Absence.objects.get_or_create(
        staff=staff,
        start=period.interval.start,
        end=period.interval.end,
        defaults={"reason": period.reason},
    )
    absence.staff = staff
    return absence


def _apply_step(
    company: Company,
    absence: Absence,
    step: PlannedStep,
    skip: set[str],
    now: datetime,
    actor: Actor,
) -> StepOutcome:
    if step.appointment_id in skip:
        return StepOutcome(step, Result.SKIPPED)
    if step.action in (Action.CALL, Action.LEAVE):
        return StepOutcome(step, Result.LEFT)
    try:
        appointment = access_appointment(company, step.appointment_id)
    except NotFound:  # gone since the plan was made
        return StepOutcome(step, Result.CHANGED, CHANGED_MESSAGE)
    if _already_done(appointment, step):
        return StepOutcome(
            step, Result.RELEASED if step.action is Action.RELEASE_HOLD else Result.MOVED
        )
    if not _where_planned(appointment, step):
        return StepOutcome(step, Result.CHANGED, CHANGED_MESSAGE)
    try:
        if step.to_start is None or step.to_staff_id is None:  # only moves have a target
            cancel_appointment(company, appointment.pk, actor=actor, now=now, absence=absence)
            return StepOutcome(step, Result.RELEASED)
        if step.action is Action.SAME_TIME:
            # As in the plan, a handover does not ask the minimum notice again: a sick
            # call at 07:30 still hands over the 08:00 client.
            hand_over_appointment(
                company, appointment.pk, step.to_staff_id, absence=absence, actor=actor, now=now
            )
        else:
            reschedule_appointment(
                company,
                appointment.pk,
                step.to_start,
                step.to_staff_id,
                actor=actor,
                now=now,
                absence=absence,
            )
    except BookingError as error:
        return StepOutcome(step, Result.REFUSED, error.message, error.code)
    return StepOutcome(step, Result.MOVED)


def _where_planned(appointment: Appointment, step: PlannedStep) -> bool:
    # Checked before the booking path locks anything: it may ask Cal.com first, which must
    # not happen inside a transaction. A change in between is still re-checked there.
    expected = AppointmentStatus.HELD if step.action is Action.RELEASE_HOLD else None
    return (
        appointment.is_live
        and (expected is None or appointment.status == expected)
        and str(appointment.staff_id) == step.from_staff_id
        and appointment.start == step.from_start
    )


def _already_done(appointment: Appointment, step: PlannedStep) -> bool:
    """A retry of the same plan: the step was made (by the first try)."""
    if step.action is Action.RELEASE_HOLD:
        return appointment.status == AppointmentStatus.CANCELLED
    return (
        appointment.is_live
        and str(appointment.staff_id) == step.to_staff_id
        and appointment.start == step.to_start
    )


def _period(plan: AbsencePlan) -> AbsencePeriod:
    return plan.replan.absence


def _check_same_absence(intent: PlanIntent, period: AbsencePeriod) -> None:
    planned = intent.absence
    if (planned.staff_id, planned.interval) != (period.staff_id, period.interval):
        raise InvalidPlan(
            gettext_noop("Diese Plan-ID gehört zu einer anderen Abwesenheit."), field="plan_id"
        )


def _check_skip(intent: PlanIntent, skip: Collection[str]) -> None:
    unknown = set(skip) - {step.appointment_id for step in intent.steps}
    if unknown:
        raise InvalidRequest(
            gettext_noop("„skip“ nennt Termine, die nicht zum Plan gehören."), field="skip"
        )


def _access_staff(company: Company, staff_id: Any) -> Staff:
    try:
        return of_company(Staff.objects, company).get(pk=staff_id)
    except (Staff.DoesNotExist, ValidationError) as error:  # ValidationError: not a UUID
        raise NotFound(
            gettext_noop("Diese Mitarbeiterin oder diesen Mitarbeiter gibt es nicht."),
            field="staff",
        ) from error
