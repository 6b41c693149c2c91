"""Reconciliation: find every difference between the phases we hold and the bookings Cal.com
holds for one salon, and repair each one or say why not.

Steps for one company:
1. the key must be allowed to see and cancel the team's bookings (`access_problem`);
   without that a listing shows nothing of the stylists' bookings, so nothing is touched
   and the report names the fix;
2. note the phases we believe synced, then list Cal.com's live bookings in the window
   (not the cancelled ones; oldest created first, so a booking made meanwhile lands on a
   later page), every page retried a few times, the whole listing again when its total
   changed while paging;
3. a phase believed synced whose booking the listing lacks is read back by uid: when that
   booking is live and right, the listing cannot be complete and nothing is touched;
4. our bookings whose phase is gone (orphans): cancelled here;
5. our bookings that are not their phase's current one (duplicates, old times, creates we
   never heard back from): remembered on the phase, whose sync then cancels or adopts them;
6. live staff-required phases without their live, matching booking: re-synced; phases
   that are right are left alone, phases whose sync is under way are only counted;
7. bookings others made in Cal.com: busy blocks; one overlapping a live phase is drift a
   person must resolve;
8. phases whose sync gave up: re-synced when the cause may have cleared (retries ran out,
   or the connection or an event-type map changed since), else recorded as drift naming
   the reason; drift that no longer holds is marked resolved.
Only the phases that differ are requested again (`request_sync`); the repairs go through
the phase sync, with its leases, lookups and retries. The caller (`tasks.reconcile_task`,
`phasebook calcom_reconcile`) dispatches or runs the returned appointments.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from django.db import transaction
from django.db.models import Max, QuerySet

from phasebook.booking import locks
from phasebook.booking.models import AppointmentPhase, AppointmentStatus, SyncStatus
from phasebook.calcom.client import CalcomClient
from phasebook.calcom.connection import (
    CalcomNotConfigured,
    connection_for,
    explain_calcom_error,
    team_id_for,
)
from phasebook.calcom.errors import CalcomError, CalcomNotFoundError
from phasebook.calcom.models import CalcomConnection, CalcomEventMap
from phasebook.calcom.schemas import Booking, BookingFilters
from phasebook.calcom.setup_check import access_problem, record_access
from phasebook.calsync.env import SyncEnv, default_env
from phasebook.calsync.models import (
    DriftKind,
    PhaseSyncTask,
    ReconcileRun,
    SyncAction,
    SyncDrift,
    TaskStatus,
)
from phasebook.calsync.outbox import IN_PROGRESS, request_sync
from phasebook.calsync.phase_sync import CANCEL_REASON, DEAD_STATUSES
from phasebook.calsync.plan import META_COMPANY, is_ours, phase_id_of
from phasebook.salons.models import Company, ExternalBusyBlock, Staff
from phasebook.telemetry import metrics

logger = logging.getLogger(__name__)

PAGE_SIZE = 250
PAGE_TRIES = 3
LISTING_TRIES = 3
PAST_DAYS = 1
# Bookings may end after the last phase start the window holds.
LISTING_OVERHANG = timedelta(days=1)
# Read-backs per run when the listing lacks bookings we hold: one live booking among them
# proves the listing incomplete; a few gone ones are ordinary repairs.
UNLISTED_READ_BACK = 5
T = TypeVar("T")


@dataclass
class ReconcileReport:
    company: str
    calcom_bookings: int = 0
    live_phases: int = 0
    missing: int = 0
    stale: int = 0
    orphans_cancelled: int = 0
    external_blocks: int = 0
    drift: int = 0
    revived: int = 0
    in_progress: int = 0
    # Why nothing was compared or repaired, naming the fix; empty when the run went through.
    refused: str = ""
    # Differences seen but not repaired in this run, each with the reason.
    unrepaired: list[str] = field(default_factory=list)
    phases: set[int] = field(default_factory=set)
    appointments: set[uuid.UUID] = field(default_factory=set)

    @property
    def is_clean(self) -> bool:
        """Nothing to repair and nothing left for a person."""
        differences = (
            self.missing or self.stale or self.orphans_cancelled or self.revived or self.drift
        )
        return not (self.refused or differences or self.unrepaired)

    def summary(self) -> str:
        if self.refused:
            return f"{self.company}: nicht abgeglichen (not reconciled): {self.refused}"
        text = (
            f"{self.company}: {self.calcom_bookings} Cal.com-Buchungen, {self.live_phases} "
            f"Phasen; fehlend {self.missing}, überzählig {self.stale}, verwaist storniert "
            f"{self.orphans_cancelled}, Fremdtermine {self.external_blocks}, "
            f"wieder versucht {self.revived}, Abweichungen {self.drift}, "
            f"in Arbeit {self.in_progress}"
        )
        return "; ".join([text, *self.unrepaired])


class ListingIncomplete(Exception):
    """Cal.com's listing lacks bookings that exist: acting on it would do harm."""


def reconcile_all(env: SyncEnv | None = None) -> list[ReconcileReport]:
    """Every connected salon; one salon's failure is reported and does not stop the rest."""
    companies = Company.objects.filter(calcom_connection__is_enabled=True).order_by("pk")
    return [_reconcile_or_report(company, env) for company in companies]


def _reconcile_or_report(company: Company, env: SyncEnv | None) -> ReconcileReport:
    try:
        return reconcile_company(company, env)
    except CalcomError as error:
        reason = explain_calcom_error(error, connection_for(company))
        report = _refuse(ReconcileReport(company.slug), f"Cal.com-Fehler, nächster Lauf: {reason}")
        remember_run(company, report, (env or default_env()).clock())
        return report


def reconcile_company_slug(company_slug: str, env: SyncEnv | None = None) -> ReconcileReport:
    return reconcile_company(Company.objects.get(slug=company_slug), env)


def reconcile_company(
    company: Company, env: SyncEnv | None = None, window: tuple[datetime, datetime] | None = None
) -> ReconcileReport:
    """Repair what can be repaired here; returns counts, reasons and the appointments to sync.

    A Cal.com failure on the way (a page that failed three times) ends the run before it has
    changed anything here; it raises, so a scheduled run shows up as failed and runs again.
    """
    env = env or default_env()
    report = _reconcile(company, env, window)
    remember_run(company, report, env.clock())
    return report


def remember_run(company: Company, report: ReconcileReport, now: datetime) -> None:
    """What /metrics and the portal read: when the salon was last reconciled, and what
    its latest run found or why it refused."""
    found = {kind: getattr(report, kind) for kind in ReconcileRun.FOUND}
    values: dict[str, object] = {"ran_at": now, "refused": report.refused, **found}
    if not report.refused:
        values["completed_at"] = now
    ReconcileRun.objects.update_or_create(company=company, defaults=values)


def _reconcile(
    company: Company, env: SyncEnv, window: tuple[datetime, datetime] | None
) -> ReconcileReport:
    now = env.clock()
    start, end = window or (now - timedelta(days=PAST_DAYS), now + company.horizon)
    report = ReconcileReport(company.slug)
    try:
        client = env.client_for(company)
        refused = _retried(env, lambda: _access_refused(company, client))
    except CalcomNotConfigured as error:
        refused = str(error)
    if refused:
        return _refuse(report, refused)
    believed = _believed_synced(company, start, end)
    bookings = _live_listing(client, start, end + LISTING_OVERHANG, env)
    try:
        _check_complete(client, believed, {b.uid for b in bookings}, start, end)
    except ListingIncomplete as error:
        return _refuse(report, str(error))
    _compare_and_repair(company, client, bookings, start, end, now, report, env)
    return report


def _refuse(report: ReconcileReport, reason: str) -> ReconcileReport:
    report.refused = reason
    logger.warning("reconcile %s", report.summary())
    return report


def _access_refused(company: Company, client: CalcomClient) -> str | None:
    connection = CalcomConnection.objects.select_related("company").get(company=company)
    problem = access_problem(company, client, team_id_for(connection))
    record_access(company, problem)
    return problem


def _compare_and_repair(
    company: Company,
    client: CalcomClient,
    bookings: list[Booking],
    start: datetime,
    end: datetime,
    now: datetime,
    report: ReconcileReport,
    env: SyncEnv,
) -> None:
    report.calcom_bookings = len(bookings)
    ours = [
        b for b in bookings if is_ours(b.metadata) and b.metadata.get(META_COMPANY) == company.slug
    ]
    phases = _phases_by_id((phase_id_of(b.metadata) or 0 for b in ours), company)
    _cancel_orphans(client, ours, phases, report)
    _remember_strays(ours, phases, report)
    _resync_missing(company, ours, start, end, report)
    _mirror_external(
        company, [b for b in bookings if not is_ours(b.metadata)], start, end, report, now
    )
    _handle_given_up(company, report, now, env)
    report.appointments = set(
        request_sync(
            AppointmentPhase.objects.filter(pk__in=report.phases), SyncAction.RECONCILE, now
        )
    )
    for kind in ReconcileRun.FOUND:
        metrics.RECONCILE_REPAIRS.labels(kind).inc(getattr(report, kind))
    logger.info("reconcile %s", report.summary())


# --- the listing ---------------------------------------------------------------------------


def _live_listing(
    client: CalcomClient, start: datetime, end: datetime, env: SyncEnv
) -> list[Booking]:
    """Every live booking in the window, from a listing whose total held still while paging."""
    for _ in range(LISTING_TRIES - 1):
        bookings, steady = _list_once(client, start, end, env)
        if steady:
            return bookings
    bookings, steady = _list_once(client, start, end, env)
    if not steady:
        logger.warning("reconcile: Cal.com's listing kept changing while it was read")
    return bookings


def _list_once(
    client: CalcomClient, start: datetime, end: datetime, env: SyncEnv
) -> tuple[list[Booking], bool]:
    """(bookings, whether every page reported the same total and that many arrived)."""
    found: dict[str, Booking] = {}
    totals: set[int] = set()
    skip = 0
    while True:
        filters = BookingFilters(
            status=("upcoming", "past"),
            after_start=start,
            before_end=end,
            sort_created="asc",
            take=PAGE_SIZE,
            skip=skip,
        )
        page = _retried(env, partial(client.list_bookings, filters))
        totals.add(page.pagination.total_items)
        found.update((b.uid, b) for b in page.bookings if b.status not in DEAD_STATUSES)
        if not page.pagination.has_next_page:
            break
        skip += PAGE_SIZE
    steady = len(totals) == 1 and page.pagination.total_items >= len(found)
    return list(found.values()), steady


def _retried(env: SyncEnv, call: Callable[[], T]) -> T:
    """A read, tried again at once (after a short pause) while its failure may pass."""
    for attempt in range(1, PAGE_TRIES):
        try:
            return call()
        except CalcomError as error:
            if not error.retryable:
                raise
            env.sleep(0.5 * attempt)
    return call()


def _believed_synced(company: Company, start: datetime, end: datetime) -> dict[int, str]:
    """Phase id -> booking uid of the live phases whose sync finished, read before listing."""
    phases = (
        _live_phases(company, start, end)
        .filter(calcom_sync_status=SyncStatus.SYNCED, sync_task__status=TaskStatus.DONE)
        .exclude(calcom_booking_uid="")
    )
    return dict(phases.values_list("pk", "calcom_booking_uid"))


def _check_complete(
    client: CalcomClient, believed: dict[int, str], listed: set[str], start: datetime, end: datetime
) -> None:
    """Raise when a booking the listing lacks is there after all (read back by its uid)."""
    unlisted = {pk: uid for pk, uid in believed.items() if uid not in listed}
    for phase_id, uid in sorted(unlisted.items())[:UNLISTED_READ_BACK]:
        try:
            booking = client.get_booking(uid)
        except CalcomNotFoundError:
            continue
        if booking.status not in DEAD_STATUSES and start <= booking.start < end:
            raise ListingIncomplete(
                f"Cal.com listet {len(listed)} Buchungen, aber nicht die bestehende Buchung "
                f"{uid} der Phase {phase_id} (listing incomplete); nichts wurde geändert: "
                "Rolle des API-Key-Benutzers im Team prüfen mit phasebook calcom_check"
            )


# --- the differences -----------------------------------------------------------------------


def _live_phases(company: Company, start: datetime, end: datetime) -> QuerySet[AppointmentPhase]:
    return AppointmentPhase.objects.filter(
        appointment__company=company,
        appointment__status=AppointmentStatus.BOOKED,
        staff_required=True,
        start_time__gte=start,
        start_time__lt=end,
    )


def _phases_by_id(ids: Iterable[int], company: Company) -> dict[int, AppointmentPhase]:
    phases = AppointmentPhase.objects.filter(pk__in=set(ids), appointment__company=company)
    return {phase.pk: phase for phase in phases.select_related("appointment", "sync_task")}


def _cancel_orphans(
    client: CalcomClient,
    ours: list[Booking],
    phases: dict[int, AppointmentPhase],
    report: ReconcileReport,
) -> None:
    """Our bookings whose phase no longer exists at all: nobody else will cancel them."""
    for booking in ours:
        if phase_id_of(booking.metadata) in phases:
            continue
        try:
            client.cancel_booking(booking.uid, CANCEL_REASON)
        except CalcomError as error:
            report.unrepaired.append(
                f"verwaiste Buchung {booking.uid} nicht storniert "
                f"({type(error).__name__}); nächster Lauf"
            )
            continue
        report.orphans_cancelled += 1


def _remember_strays(
    ours: list[Booking], phases: dict[int, AppointmentPhase], report: ReconcileReport
) -> None:
    """Our live bookings that are not their phase's current one go into the phase's history
    as not cancelled: its sync then reads them back and cancels them (or keeps one)."""
    for booking in ours:
        phase = phases.get(phase_id_of(booking.metadata) or 0)
        if phase is None or _is_current(booking, phase) or _known(booking, phase):
            continue
        _add_to_history(phase.pk, booking)
        report.stale += 1
        report.phases.add(phase.pk)


def _is_current(booking: Booking, phase: AppointmentPhase) -> bool:
    return (
        booking.uid == phase.calcom_booking_uid
        and phase.appointment.status == AppointmentStatus.BOOKED
        and _fits(booking, phase)
    )


def _known(booking: Booking, phase: AppointmentPhase) -> bool:
    """Known to the phase, whose sync is under way: it will deal with the booking itself."""
    history = (phase.calcom_metadata or {}).get("history", [])
    known = {phase.calcom_booking_uid, *(entry["uid"] for entry in history)}
    task = getattr(phase, "sync_task", None)
    return task is not None and task.status in IN_PROGRESS and booking.uid in known


def _fits(booking: Booking, phase: AppointmentPhase) -> bool:
    return (booking.start, booking.end, booking.event_type_id) == (
        phase.start_time,
        phase.end_time,
        phase.calcom_event_type_id,
    )


def _add_to_history(phase_id: int, booking: Booking) -> None:
    with transaction.atomic():
        phase = locks.phases_for_update().get(pk=phase_id)
        metadata = dict(phase.calcom_metadata or {})
        history = [e for e in metadata.get("history", []) if e["uid"] != booking.uid]
        history.append(
            {
                "uid": booking.uid,
                "id": booking.id,
                "cancelled": False,
                "start": booking.start.isoformat(),
                "end": booking.end.isoformat(),
                "event_type_id": booking.event_type_id,
            }
        )
        metadata["history"] = history
        phase.calcom_metadata = metadata
        phase.save(update_fields=["calcom_metadata", "updated_at"])


def _resync_missing(
    company: Company, ours: list[Booking], start: datetime, end: datetime, report: ReconcileReport
) -> None:
    """Live phases without their live, matching booking; given-up ones are step 8's."""
    live = {b.uid: b for b in ours}
    rows = _live_phases(company, start, end).values_list(
        "pk",
        "calcom_booking_uid",
        "start_time",
        "end_time",
        "calcom_event_type_id",
        "sync_task__status",
    )
    for pk, uid, phase_start, phase_end, event_type_id, task_status in rows:
        report.live_phases += 1
        if task_status in IN_PROGRESS:
            report.in_progress += 1
            continue
        if task_status == TaskStatus.FAILED:
            continue
        booking = live.get(uid)
        if booking is None or (booking.start, booking.end, booking.event_type_id) != (
            phase_start,
            phase_end,
            event_type_id,
        ):
            report.missing += 1
            report.phases.add(pk)


def _mirror_external(
    company: Company,
    foreign: list[Booking],
    start: datetime,
    end: datetime,
    report: ReconcileReport,
    now: datetime,
) -> None:
    """Bookings made directly in Cal.com block our stylists; vanished ones stop blocking."""
    staff = {
        s.calcom_user_id: s
        for s in Staff.objects.filter(company=company)
        if s.calcom_user_id is not None
    }
    seen: set[str] = set()
    overlapping: set[str] = set()
    for booking in foreign:
        stylist = next((staff[h.id] for h in booking.hosts if h.id in staff), None)
        if stylist is None:
            continue
        upsert_busy_block(stylist, booking.uid, booking.start, booking.end)
        seen.add(booking.uid)
        report.external_blocks += 1
        if _overlaps_live_phase(stylist, booking):
            overlapping.add(booking.uid)
            _record_drift(
                company,
                DriftKind.EXTERNAL_OVERLAP,
                booking.uid,
                now,
                f"Fremdbuchung {booking.start:%Y-%m-%d %H:%M} UTC bei {stylist} "
                "überschneidet eine gebuchte Phase: in Cal.com klären.",
            )
            report.drift += 1
    ExternalBusyBlock.objects.filter(
        staff__company=company, source="calcom", start__gte=start, start__lt=end
    ).exclude(external_id__in=seen).delete()
    _resolve_drift(company, [DriftKind.EXTERNAL_OVERLAP], overlapping, now)


def upsert_busy_block(stylist: Staff, uid: str, start: datetime, end: datetime) -> None:
    """The stylist's salon's block for this Cal.com booking; no other salon's is touched."""
    ExternalBusyBlock.objects.update_or_create(
        company_id=stylist.company_id,
        source="calcom",
        external_id=uid,
        defaults={"staff": stylist, "start": start, "end": end},
    )


def _overlaps_live_phase(stylist: Staff, booking: Booking) -> bool:
    return AppointmentPhase.objects.filter(
        staff=stylist, blocks_staff=True, start_time__lt=booking.end, end_time__gt=booking.start
    ).exists()


def _handle_given_up(
    company: Company, report: ReconcileReport, now: datetime, env: SyncEnv
) -> None:
    """Revive a given-up phase whose cause may have cleared; record the others as drift."""
    changed = _configuration_changed_at(company)
    kept: set[str] = set()
    for task in PhaseSyncTask.objects.filter(company=company, status=TaskStatus.FAILED):
        ran_out = env.retry.exhausted(task.attempts)
        if ran_out or (changed is not None and changed > task.updated_at):
            report.phases.add(task.phase_id)
            report.revived += 1
            continue
        kind = DriftKind.UNMAPPED if task.error_kind == "unmapped" else DriftKind.MANUAL_REVIEW
        _record_drift(company, kind, str(task.phase_id), now, task.last_error)
        kept.add(str(task.phase_id))
        report.drift += 1
        report.unrepaired.append(f"Phase {task.phase_id}: {task.last_error}")
    _resolve_drift(company, [DriftKind.UNMAPPED, DriftKind.MANUAL_REVIEW], kept, now)


def _configuration_changed_at(company: Company) -> datetime | None:
    """When the company's connection or one of its event-type maps last changed."""
    moments = [
        CalcomConnection.objects.filter(company=company).aggregate(at=Max("updated_at"))["at"],
        CalcomEventMap.objects.filter(company=company).aggregate(at=Max("updated_at"))["at"],
    ]
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def _record_drift(company: Company, kind: str, reference: str, now: datetime, detail: str) -> None:
    SyncDrift.objects.update_or_create(
        company=company,
        kind=kind,
        reference=reference,
        resolved_at=None,
        defaults={"detail": detail, "detected_at": now},
    )


def _resolve_drift(company: Company, kinds: list[str], still_open: set[str], now: datetime) -> None:
    SyncDrift.objects.filter(company=company, kind__in=kinds, resolved_at=None).exclude(
        reference__in=still_open
    ).update(resolved_at=now)
