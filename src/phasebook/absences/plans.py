"""Plan ids: a plan travels to the client and back, signed, and nothing is stored.

A dry run writes nothing, not even the plan: its id is the plan itself (the absence and,
per broken appointment, where it is and where the plan moves it), compressed and signed
with the project's secret, bound to the salon and valid for `PLAN_MAX_AGE`. Applying an
id re-checks every move anyway, so an old plan can fail but never double-book; the
signature keeps a client from passing off moves of its own as the plan it was shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core import signing
from django.utils.translation import gettext_noop

from phasebook.absences.errors import InvalidPlan, PlanExpired
from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.replan import AbsencePeriod, Action, Replan

PLAN_MAX_AGE = timedelta(hours=1)
_SALT = "phasebook.absences.plan"
_VERSION = 1


@dataclass(frozen=True)
class PlannedStep:
    """One broken appointment: where the plan found it and where it puts it."""

    appointment_id: str
    action: Action
    from_staff_id: str
    from_start: datetime
    to_staff_id: str | None = None
    to_start: datetime | None = None


@dataclass(frozen=True)
class PlanIntent:
    """What a plan id says: the absence and the steps, in the order to apply them."""

    company_id: int
    absence: AbsencePeriod
    steps: tuple[PlannedStep, ...]


def steps_of(replan: Replan) -> tuple[PlannedStep, ...]:
    return tuple(
        PlannedStep(
            appointment_id=entry.appointment.appointment_id,
            action=entry.action,
            from_staff_id=entry.appointment.staff_id,
            from_start=entry.appointment.start,
            to_staff_id=entry.move.staff_id if entry.move else None,
            to_start=entry.move.start if entry.move else None,
        )
        for entry in replan.entries
    )


def issue_plan_id(intent: PlanIntent) -> str:
    absence = intent.absence
    payload = {
        "v": _VERSION,
        "company": intent.company_id,
        "staff": absence.staff_id,
        "period": [absence.interval.start.isoformat(), absence.interval.end.isoformat()],
        "reason": absence.reason,
        "steps": [_step_payload(step) for step in intent.steps],
    }
    return signing.dumps(payload, salt=_SALT, compress=True)


def read_plan_id(plan_id: str, company_id: int) -> PlanIntent:
    """The intent behind a plan id issued for this company, or InvalidPlan/PlanExpired."""
    try:
        payload = signing.loads(plan_id, salt=_SALT, max_age=PLAN_MAX_AGE)
    except signing.SignatureExpired as error:
        raise PlanExpired(
            gettext_noop("Dieser Plan ist abgelaufen; bitte einen neuen erstellen.")
        ) from error
    except signing.BadSignature as error:
        raise _invalid() from error
    if not isinstance(payload, dict) or payload.get("v") != _VERSION:
        raise _invalid()
    if payload["company"] != company_id:
        raise _invalid()  # another salon's plan: as if it did not exist
    start, end = payload["period"]
    return PlanIntent(
        company_id=company_id,
        absence=AbsencePeriod(
            payload["staff"],
            Interval(datetime.fromisoformat(start), datetime.fromisoformat(end)),
            payload["reason"],
        ),
        steps=tuple(_step(item) for item in payload["steps"]),
    )


def _invalid() -> InvalidPlan:
    return InvalidPlan(gettext_noop("Diese Plan-ID ist ungültig."), field="plan_id")


def _step_payload(step: PlannedStep) -> list[Any]:
    return [
        step.appointment_id,
        step.action.value,
        step.from_staff_id,
        _seconds(step.from_start),
        step.to_staff_id,
        _seconds(step.to_start) if step.to_start else None,
    ]


def _step(item: list[Any]) -> PlannedStep:
    appointment_id, action, from_staff, from_start, to_staff, to_start = item
    return PlannedStep(
        appointment_id,
        Action(action),
        from_staff,
        _instant(from_start),
        to_staff,
        _instant(to_start) if to_start is not None else None,
    )


def _seconds(instant: datetime) -> int:
    return int(instant.timestamp())  # appointments start on whole minutes


def _instant(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
