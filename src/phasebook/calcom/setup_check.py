"""Is every (service, staff-required segment, stylist) bookable in Cal.com, and may the key
see and cancel the bookings the sync makes?

Two depths:
- `offline_findings(company)` reads only our database (no map, stylist without Cal.com user).
  It backs the Django system check tagged `calcom`, which runs only with `check --deploy`, so
  `runserver`'s autoreload never waits for the network.
- `setup_findings(company, client)` also asks Cal.com about every mapped event type (exists,
  not a managed parent, the stylist is its only host, the segment's length). `phasebook
  calcom_check` and health endpoints use it.
`access_problem(company, client, team_id)` asks whether the key may list and cancel the
team's bookings; `record_access` stores the answer on the connection for `/readyz`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core import checks
from django.utils import timezone

from phasebook.calcom.client import CalcomClient
from phasebook.calcom.errors import CalcomAuthError
from phasebook.calcom.models import CalcomConnection, CalcomEventMap
from phasebook.calcom.schemas import EventType
from phasebook.salons.models import Company, Service, Staff
from phasebook.scheduling.segments import Segment

FIX = "phasebook calcom_provision ersetzt sie durch einen Single-Host-Event-Type"
UNMAPPED = "kein Event Type zugeordnet: phasebook calcom_provision"


@dataclass(frozen=True)
class Target:
    """One staff-required segment of a service, performed by one stylist."""

    service: Service
    segment: Segment
    staff: Staff

    @property
    def label(self) -> str:
        return f"{self.service.name} / {self.segment.key} {self.segment.name} / {self.staff.name}"


@dataclass(frozen=True)
class Finding:
    target: Target
    problem: str

    def __str__(self) -> str:
        return f"{self.target.label}: {self.problem}"


def targets(company: Company) -> list[Target]:
    """Every (service, staff-required segment, stylist) of the company's active services."""
    services = Service.objects.filter(company=company, is_active=True).prefetch_related("staff")
    return [
        Target(service, segment, staff)
        for service in services.order_by("pk")
        for segment in service.staff_segments
        for staff in sorted(service.staff.all(), key=lambda s: (s.name, str(s.pk)))
        if staff.is_active
    ]


def maps_by_target(company: Company) -> dict[tuple[int, str, str], CalcomEventMap]:
    maps = CalcomEventMap.objects.filter(company=company)
    return {(m.service_id, m.segment_key, str(m.staff_id)): m for m in maps}


def target_key(target: Target) -> tuple[int, str, str]:
    return (target.service.pk, target.segment.key, str(target.staff.pk))


def missing_user_problem(staff: Staff) -> str:
    return (
        f"{staff.name} hat keine Cal.com-Benutzer-ID: im Admin bei der Mitarbeiter:in "
        "„Cal.com-Benutzer-ID“ eintragen, dann phasebook calcom_provision"
    )


def offline_findings(company: Company) -> list[Finding]:
    maps = maps_by_target(company)
    findings = []
    for target in targets(company):
        if target.staff.calcom_user_id is None:
            findings.append(Finding(target, missing_user_problem(target.staff)))
        elif target_key(target) not in maps:
            findings.append(Finding(target, UNMAPPED))
    return findings


def event_type_problem(event_type: EventType, target: Target) -> str | None:
    """Why this event type cannot book `target`'s phases, or None when it can."""
    if event_type.is_managed_parent:
        return f"Event Type {event_type.id} ist ein verwalteter (managed) Eltern-Event-Type: {FIX}"
    if event_type.host_user_ids != (target.staff.calcom_user_id,):
        name = target.staff.name
        return f"Event Type {event_type.id} hat nicht nur {name} als Gastgeber:in: {FIX}"
    if event_type.length_in_minutes != target.segment.duration_minutes:
        return (
            f"Event Type {event_type.id} dauert {event_type.length_in_minutes} statt "
            f"{target.segment.duration_minutes} Minuten: {FIX}"
        )
    return None


def team_event_types(client: CalcomClient, team_id: int) -> dict[int, EventType]:
    """All event types of the team in one request (Cal.com allows 120 requests a minute)."""
    return {event_type.id: event_type for event_type in client.list_team_event_types(team_id)}


def mapped_event_type_problem(
    known: dict[int, EventType], team_id: int, target: Target, event_type_id: int
) -> str | None:
    event_type = known.get(event_type_id)
    if event_type is None:
        return f"Event Type {event_type_id} gibt es im Cal.com-Team {team_id} nicht: {FIX}"
    return event_type_problem(event_type, target)


def setup_findings(company: Company, client: CalcomClient, team_id: int) -> list[Finding]:
    """Every target without a bookable event type (Cal.com errors propagate)."""
    maps = maps_by_target(company)
    known = team_event_types(client, team_id)
    findings = []
    for target in targets(company):
        event_map = maps.get(target_key(target))
        if target.staff.calcom_user_id is None:
            problem: str | None = missing_user_problem(target.staff)
        elif event_map is None:
            problem = UNMAPPED
        else:
            problem = mapped_event_type_problem(known, team_id, target, event_map.event_type_id)
        if problem:
            findings.append(Finding(target, problem))
    return findings


def access_problem(company: Company, client: CalcomClient, team_id: int) -> str | None:
    """Why the key cannot list and cancel the bookings of the team's event types, or None.

    The phase bookings' host is the stylist, not the key's user: Cal.com lists them to the
    key (and lets it cancel them) only when that user is an admin or owner of the team. The
    team's memberships answer admins and owners alone, so a refusal there says the same.
    Finding the booking of a lost response and reconciliation both depend on it.
    """
    me = client.get_me()
    try:
        memberships = client.list_team_memberships(team_id)
    except CalcomAuthError:
        memberships = []
    if any(m.user_id == me.id and m.is_admin for m in memberships):
        return None
    return (
        f"Der Benutzer des Cal.com-API-Keys von „{company.slug}“ ist im Cal.com-Team {team_id} "
        "weder Admin noch Owner, daher listet Cal.com ihm die Buchungen der Stylist:innen "
        "nicht und lässt ihn sie nicht stornieren (API key cannot list or cancel the team's "
        "bookings): in Cal.com unter Teams → Mitglieder diesem Benutzer die Rolle Admin geben "
        "oder den Key eines Team-Admins setzen mit phasebook calcom_connect --company "
        f"{company.slug} --api-key KEY"
    )


def record_access(company: Company, problem: str | None) -> None:
    CalcomConnection.objects.filter(company=company).update(
        access_checked_at=timezone.now(), access_problem=problem or ""
    )


@checks.register("calcom", checks.Tags.database, deploy=True)
def check_calcom_maps(
    app_configs: Iterable[Any] | None = None, databases: Iterable[str] | None = None, **kwargs: Any
) -> list[Any]:
    """`phasebook check --deploy --database default`: one warning per unmapped target.

    It reads the database, so like Django's own database checks it runs only when asked to
    (`--database`): the configuration check must pass on a machine without one."""
    if not databases:
        return []
    companies = Company.objects.filter(calcom_connection__is_enabled=True)
    return [
        checks.Warning(str(finding), hint="phasebook calcom_check", id="phasebook.calcom.W001")
        for company in companies
        for finding in offline_findings(company)
    ]
