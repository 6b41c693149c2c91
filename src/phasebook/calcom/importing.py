"""Link event types that already exist in the company's Cal.com team to our targets.

`import_event_types(company, client, team_id)`:
  1. read the team's event types (one request) and our maps;
  2. per (service, staff-required segment, stylist): keep a bookable map; otherwise look for
     our deterministic slug, else for a hand-made event type whose only host is the stylist's
     Cal.com user and whose title is "Service: Segment"; managed parents are never imported,
     and an event type whose length differs from the segment's is reported, never linked;
  3. unless dry-run, link the matches in one transaction as one `import` batch, so
     `calcom_rollback` undoes the run.
Only `CalcomEventMap` and its history are written. Segments, service names, durations and staff
data are owned by our database (Cal.com is a projection), so nothing read here flows into them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from phasebook.calcom.client import CalcomClient
from phasebook.calcom.models import CalcomEventMap, CalcomEventMapChange
from phasebook.calcom.provisioning import Step, event_type_slug, plan_each_target, record_steps
from phasebook.calcom.schemas import EventType
from phasebook.calcom.setup_check import (
    Target,
    event_type_problem,
    mapped_event_type_problem,
    missing_user_problem,
)
from phasebook.salons.models import Company

PROVISION_FIX = "phasebook calcom_provision legt einen passenden Event Type an"


@dataclass
class ImportResult:
    steps: list[Step]
    batch: uuid.UUID | None = None

    @property
    def linked(self) -> list[Step]:
        return [step for step in self.steps if step.action == "reuse"]


def import_event_types(
    company: Company, client: CalcomClient, team_id: int, *, dry_run: bool = False
) -> ImportResult:
    steps = plan_import(company, client, team_id)
    if dry_run:
        return ImportResult(steps)
    return ImportResult(steps, record_steps(company, steps, CalcomEventMapChange.Reason.IMPORT))


def plan_import(company: Company, client: CalcomClient, team_id: int) -> list[Step]:
    """Cal.com reads only; one `Step` per target ("reuse" = link, "skip" says why not)."""
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
    if event_map is not None and not mapped_event_type_problem(
        known, team_id, target, event_map.event_type_id
    ):
        return Step(target, "keep", "", old_id, old_id, event_map.event_type_slug)
    matches = matching_event_types(company, target, known.values())
    if not matches:
        return Step(target, "skip", not_found_problem(target), old_id)
    linkable = [event_type for event_type in matches if not event_type.is_managed_parent]
    if len(linkable) != 1:
        return Step(target, "skip", ambiguity_problem(matches), old_id)
    (found,) = linkable
    problem = import_problem(found, target)
    if problem:
        return Step(target, "skip", problem, old_id)
    return Step(target, "reuse", "", old_id, found.id, found.slug)


def matching_event_types(
    company: Company, target: Target, event_types: Iterable[EventType]
) -> list[EventType]:
    """Ours by slug (Cal.com keeps slugs unique per team), else hand-made by host and title."""
    event_types = list(event_types)
    slug = event_type_slug(company, target)
    by_slug = [event_type for event_type in event_types if event_type.slug == slug]
    if by_slug:
        return by_slug
    title = _normalized(expected_title(target))
    host = (target.staff.calcom_user_id,)
    return [
        event_type
        for event_type in event_types
        if event_type.host_user_ids == host and _normalized(event_type.title) == title
    ]


def expected_title(target: Target) -> str:
    return f"{target.service.name}: {target.segment.name}"


def _normalized(title: str) -> str:
    # Hand-typed titles differ in case and spacing, not in words.
    return " ".join(title.split()).casefold()


def import_problem(event_type: EventType, target: Target) -> str | None:
    """Why `event_type` must not be linked to `target`; a length mismatch first, because
    the segment's length is ours and is never adjusted to Cal.com's."""
    if event_type.length_in_minutes != target.segment.duration_minutes:
        return (
            f"Event Type {event_type.id} dauert {event_type.length_in_minutes} statt "
            f"{target.segment.duration_minutes} Minuten; das Segment bleibt unverändert und "
            "der Event Type wird nicht verknüpft: phasebook calcom_provision legt einen Event "
            "Type mit der richtigen Länge an"
        )
    return event_type_problem(event_type, target)


def not_found_problem(target: Target) -> str:
    return (
        f"kein Event Type mit dem Titel „{expected_title(target)}“ und {target.staff.name} als "
        f"einziger Gastgeber:in im Cal.com-Team: {PROVISION_FIX}"
    )


def ambiguity_problem(matches: list[EventType]) -> str:
    managed = [event_type.id for event_type in matches if event_type.is_managed_parent]
    if len(managed) == len(matches):
        return (
            f"Event Type {managed[0]} ist ein verwalteter (managed) Eltern-Event-Type und wird "
            f"nie importiert: {PROVISION_FIX}"
        )
    ids = ", ".join(str(event_type.id) for event_type in matches if event_type.id not in managed)
    return f"mehrere Event Types passen ({ids}): im Admin zuordnen oder {PROVISION_FIX}"
