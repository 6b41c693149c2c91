"""One single-host Cal.com event type per (service, staff-required segment, stylist) (seed 1.3).

`provision(company, client, team_id)`:
  1. plan (Cal.com reads only): keep bookable maps; for every other target look up an event
     type with the deterministic slug (a crash between create and save left one behind) and
     reuse it when bookable, else plan a create; stylists without a Cal.com user are skipped;
  2. unless dry-run: create the planned event types, optionally verify each new one with a
     test booking that is cancelled right away;
  3. write all map changes in one transaction, one `CalcomEventMapChange` per change, all in
     one batch, so `rollback(company)` can restore the previous ids (seed Part 8).
No HTTP call happens inside the transaction, and old event types are never deleted.
The slug uses the service's id (not its name), so renaming a service keeps its maps.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from django.db import transaction
from django.utils import timezone

from phasebook.booking import locks
from phasebook.calcom.client import CalcomClient
from phasebook.calcom.errors import CalcomError
from phasebook.calcom.models import CalcomEventMap, CalcomEventMapChange
from phasebook.calcom.schemas import (
    Attendee,
    CreateBookingRequest,
    CreateTeamEventTypeRequest,
    EventType,
    EventTypeHost,
    in_person_location,
)
from phasebook.calcom.setup_check import (
    Target,
    event_type_problem,
    mapped_event_type_problem,
    maps_by_target,
    missing_user_problem,
    target_key,
    targets,
    team_event_types,
)
from phasebook.salons.models import Company

Action = Literal["keep", "create", "reuse", "skip"]
LOCATION = "Vor Ort"
VERIFY_WINDOW = timedelta(days=14)


@dataclass
class Step:
    target: Target
    action: Action
    note: str = ""
    old_event_type_id: int | None = None
    event_type_id: int | None = None
    slug: str = ""

    def __str__(self) -> str:
        labels = {"keep": "ok", "create": "anlegen", "reuse": "übernehmen", "skip": "übersprungen"}
        ids = f"{self.old_event_type_id or '-'} → {self.event_type_id or 'neu'}"
        detail = f" ({self.note})" if self.note else ""
        return f"[{labels[self.action]}] {self.target.label}: {ids} {self.slug}{detail}"


@dataclass
class ProvisionResult:
    steps: list[Step]
    batch: uuid.UUID | None = None
    created_ids: list[int] = field(default_factory=list)
    verify_failures: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[Step]:
        return [step for step in self.steps if step.action in ("create", "reuse")]


def event_type_slug(company: Company, target: Target) -> str:
    """Deterministic and stable under service rename; the length is part of it, so a changed
    segment length gets a new event type instead of silently keeping the old length."""
    segment = target.segment.key.lower().replace("_", "-")
    staff = target.staff.pk.hex[:8]
    minutes = target.segment.duration_minutes
    return f"pb-{company.slug}-s{target.service.pk}-{segment}-{staff}-{minutes}m"


def event_type_request(
    company: Company, target: Target, host_user_id: int
) -> CreateTeamEventTypeRequest:
    return CreateTeamEventTypeRequest(
        title=f"{target.service.name}: {target.segment.name}",
        slug=event_type_slug(company, target),
        length_in_minutes=target.segment.duration_minutes,
        description=f"Segment {target.segment.key} – {target.segment.name} (phasebook)",
        locations=(in_person_location(LOCATION),),
        before_event_buffer=0,
        after_event_buffer=0,
        scheduling_type="collective",
        hosts=(EventTypeHost(user_id=host_user_id),),
    )


# --- 1. plan -------------------------------------------------------------------------------


# (company, the team's event types by id, team id, target, its current map) -> the step
PlanTarget = Callable[[Company, dict[int, EventType], int, Target, CalcomEventMap | None], Step]


def plan_each_target(
    company: Company, client: CalcomClient, team_id: int, plan_target: PlanTarget
) -> list[Step]:
    """One read of the team's event types, then one `Step` per target (Cal.com reads only)."""
    maps = maps_by_target(company)
    known = team_event_types(client, team_id)
    return [
        plan_target(company, known, team_id, target, maps.get(target_key(target)))
        for target in targets(company)
    ]


def plan(company: Company, client: CalcomClient, team_id: int) -> list[Step]:
    return plan_each_target(company, client, team_id, _plan_target)


def _plan_target(
    company: Company,
    known: dict[int, EventType],
    team_id: int,
    target: Target,
    event_map: CalcomEventMap | None,
) -> Step:
    if target.staff.calcom_user_id is None:
        return Step(target, "skip", missing_user_problem(target.staff))
    old_id = event_map.event_type_id if event_map else None
    note = ""
    if event_map is not None:
        problem = mapped_event_type_problem(known, team_id, target, event_map.event_type_id)
        if problem is None:
            return Step(target, "keep", "", old_id, old_id, event_map.event_type_slug)
        note = problem
    slug = event_type_slug(company, target)
    for found in known.values():
        # Left behind by a run that crashed between creating it and saving the map.
        if found.slug == slug and event_type_problem(found, target) is None:
            return Step(target, "reuse", note, old_id, found.id, slug)
    return Step(target, "create", note, old_id, None, slug)


# --- 2. create and verify ------------------------------------------------------------------


def create_event_types(
    company: Company, client: CalcomClient, team_id: int, steps: list[Step]
) -> list[int]:
    created = []
    for step in steps:
        host_user_id = step.target.staff.calcom_user_id
        if step.action == "create" and host_user_id is not None:
            request = event_type_request(company, step.target, host_user_id)
            event_type = client.create_team_event_type(team_id, request)
            step.event_type_id = event_type.id
            created.append(event_type.id)
    return created


def verify_bookable(
    company: Company, client: CalcomClient, step: Step, event_type_id: int
) -> str | None:
    """Book the first free slot and cancel it; returns what went wrong, or None."""
    now = timezone.now()
    try:
        slots = client.get_slots(event_type_id, now + timedelta(hours=1), now + VERIFY_WINDOW)
        if not slots:
            return f"{step.target.label}: keine freien Slots in 14 Tagen"
        attendee = Attendee(
            name="phasebook Prüfbuchung",
            time_zone=company.time_zone,
            email="provisioning-check@phasebook.invalid",
        )
        booking = client.create_booking(
            CreateBookingRequest(
                start=slots[0].start,
                event_type_id=event_type_id,
                attendee=attendee,
                metadata={"phasebook_check": "provision"},
            )
        )
        client.cancel_booking(booking.uid, reason="phasebook Prüfbuchung")
    except CalcomError as error:
        return f"{step.target.label}: Prüfbuchung fehlgeschlagen: {error.message}"
    return None


# --- 3. record -----------------------------------------------------------------------------


@transaction.atomic
def record_steps(
    company: Company,
    steps: list[Step],
    reason: CalcomEventMapChange.Reason = CalcomEventMapChange.Reason.PROVISION,
) -> uuid.UUID | None:
    """Write the new ids into the maps, with one history row each, as one batch."""
    changed = [
        (step, step.event_type_id)
        for step in steps
        if step.action in ("create", "reuse") and step.event_type_id is not None
    ]
    if not changed:
        return None
    batch = uuid.uuid4()
    for step, event_type_id in changed:
        target = step.target
        CalcomEventMap.objects.update_or_create(
            service=target.service,
            segment_key=target.segment.key,
            staff=target.staff,
            defaults={
                "company": company,
                "event_type_id": event_type_id,
                "event_type_slug": step.slug,
            },
        )
        CalcomEventMapChange.objects.create(
            company=company,
            batch=batch,
            service=target.service,
            segment_key=target.segment.key,
            staff=target.staff,
            old_event_type_id=step.old_event_type_id,
            new_event_type_id=event_type_id,
            reason=reason,
        )
    return batch


def provision(
    company: Company,
    client: CalcomClient,
    team_id: int,
    *,
    dry_run: bool = False,
    verify: bool = False,
) -> ProvisionResult:
    steps = plan(company, client, team_id)
    result = ProvisionResult(steps)
    if dry_run:
        return result
    result.created_ids = create_event_types(company, client, team_id, steps)
    if verify:
        for step in steps:
            if step.action == "create" and step.event_type_id is not None:
                failure = verify_bookable(company, client, step, step.event_type_id)
                if failure:
                    result.verify_failures.append(failure)
    result.batch = record_steps(company, steps)
    return result


# --- rollback ------------------------------------------------------------------------------


class NothingToRollBack(Exception):
    pass


@transaction.atomic
def rollback(company: Company) -> list[CalcomEventMapChange]:
    """Restore the previous ids of the newest batch not yet rolled back (seed Part 8).

    The rollback is itself recorded (reason `rollback`, its own batch) and is not a candidate
    for a later rollback: rolling back twice undoes the two newest provisioning runs.
    """
    candidates = CalcomEventMapChange.objects.filter(company=company, rolled_back=False).exclude(
        reason=CalcomEventMapChange.Reason.ROLLBACK
    )
    newest = candidates.order_by("-changed_at", "-id").first()
    if newest is None:
        raise NothingToRollBack(
            f"Für „{company.slug}“ gibt es keine Zuordnungsänderung, die zurückgesetzt werden kann."
        )
    changes = list(locks.event_map_changes_for_update(candidates.filter(batch=newest.batch)))
    batch = uuid.uuid4()
    undone = [_undo(change, batch) for change in changes]
    candidates.filter(batch=newest.batch).update(rolled_back=True)
    return undone


def _undo(change: CalcomEventMapChange, batch: uuid.UUID) -> CalcomEventMapChange:
    maps = CalcomEventMap.objects.filter(
        service=change.service_id, segment_key=change.segment_key, staff=change.staff_id
    )
    if change.old_event_type_id is None:
        maps.delete()
    else:
        # The old slug is not kept in the history; the id is what bookings use.
        maps.update(event_type_id=change.old_event_type_id, event_type_slug="")
    return CalcomEventMapChange.objects.create(
        company=change.company,
        batch=batch,
        service_id=change.service_id,
        segment_key=change.segment_key,
        staff_id=change.staff_id,
        old_event_type_id=change.new_event_type_id,
        new_event_type_id=change.old_event_type_id,
        reason=CalcomEventMapChange.Reason.ROLLBACK,
    )
