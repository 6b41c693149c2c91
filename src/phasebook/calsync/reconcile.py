"""Reconciliation: compare our live phases with Cal.com's bookings in a time window and repair.

Steps for one company:
1. list every booking the company's key can see in the window (all pages);
2. our bookings (our metadata, this company) whose phase is gone: orphans, cancelled here;
3. our bookings that are not their phase's current booking (duplicates, old times, creates we
   never heard back from): remembered on the phase, whose sync then cancels them;
4. live staff-required phases without their live, matching booking: re-synced (re-created);
5. bookings others made directly in Cal.com: busy blocks for our availability; one that
   overlaps a live phase is drift nobody here can repair, recorded for a human;
6. phases whose sync gave up are recorded as drift too.
Repairs of phases go through the normal phase sync (steps 3–4), so they get its leases,
lookups and retries; the caller (`tasks.reconcile_task`, `phasebook calcom_reconcile`)
dispatches or runs the returned appointments.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction

from phasebook.booking.models import AppointmentPhase, AppointmentStatus
from phasebook.calcom.client import CalcomClient
from phasebook.calcom.errors import CalcomError
from phasebook.calcom.schemas import Booking, BookingFilters
from phasebook.calsync import metrics
from phasebook.calsync.env import SyncEnv, default_env
from phasebook.calsync.models import DriftKind, PhaseSyncTask, SyncAction, SyncDrift, TaskStatus
from phasebook.calsync.outbox import request_sync
from phasebook.calsync.phase_sync import CANCEL_REASON, DEAD_STATUSES
from phasebook.calsync.plan import META_COMPANY, is_ours, phase_id_of
from phasebook.salons.models import Company, ExternalBusyBlock, Staff

logger = logging.getLogger(__name__)

PAGE_SIZE = 250
PAST_DAYS = 1


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
    appointments: set[uuid.UUID] = field(default_factory=set)

    def summary(self) -> str:
        return (
            f"{self.company}: {self.calcom_bookings} Cal.com-Buchungen, {self.live_phases} "
            f"Phasen; fehlend {self.missing}, überzählig {self.stale}, verwaist storniert "
            f"{self.orphans_cancelled}, Fremdtermine {self.external_blocks}, "
            f"Abweichungen {self.drift}"
        )


def reconcile_all(env: SyncEnv | None = None) -> list[ReconcileReport]:
    companies = Company.objects.filter(calcom_connection__is_enabled=True)
    return [reconcile_company(company, env) for company in companies]


def reconcile_company_slug(company_slug: str, env: SyncEnv | None = None) -> ReconcileReport:
    return reconcile_company(Company.objects.get(slug=company_slug), env)


def reconcile_company(
    company: Company, env: SyncEnv | None = None, window: tuple[datetime, datetime] | None = None
) -> ReconcileReport:
    """Repair what can be repaired here; returns counts and the appointments to sync."""
    env = env or default_env()
    now = env.clock()
    start, end = window or (now - timedelta(days=PAST_DAYS), now + company.horizon)
    report = ReconcileReport(company.slug)
    client = env.client_for(company)
    bookings = [b for b in _all_bookings(client, start, end) if b.status not in DEAD_STATUSES]
    report.calcom_bookings = len(bookings)
    ours = [
        b for b in bookings if is_ours(b.metadata) and b.metadata.get(META_COMPANY) == company.slug
    ]
    _cancel_orphans(client, company, ours, report)
    _remember_strays(company, ours, report)
    _resync_missing(company, ours, start, end, report)
    _mirror_external(
        company, [b for b in bookings if not is_ours(b.metadata)], start, end, report, now
    )
    _record_given_up(company, report, now)
    request_sync(
        AppointmentPhase.objects.filter(appointment_id__in=report.appointments),
        SyncAction.RECONCILE,
        now,
    )
    for kind in ("missing", "stale", "orphans_cancelled", "external_blocks", "drift"):
        metrics.RECONCILE_REPAIRS.labels(kind).inc(getattr(report, kind))
    logger.info("reconcile %s", report.summary())
    return report


def _all_bookings(client: CalcomClient, start: datetime, end: datetime) -> Iterable[Booking]:
    skip = 0
    while True:
        filters = BookingFilters(after_start=start, before_end=end, take=PAGE_SIZE, skip=skip)
        page = client.list_bookings(filters)
        yield from page.bookings
        if not page.pagination.has_next_page:
            return
        skip += PAGE_SIZE


def _phases_by_id(ids: Iterable[int], company: Company) -> dict[int, AppointmentPhase]:
    phases = AppointmentPhase.objects.filter(pk__in=set(ids), appointment__company=company)
    return {phase.pk: phase for phase in phases.select_related("appointment")}


def _cancel_orphans(
    client: CalcomClient, company: Company, ours: list[Booking], report: ReconcileReport
) -> None:
    """Our bookings whose phase no longer exists at all: nobody else will cancel them."""
    phases = _phases_by_id((phase_id_of(b.metadata) or 0 for b in ours), company)
    for booking in ours:
        if phase_id_of(booking.metadata) in phases:
            continue
        try:
            client.cancel_booking(booking.uid, CANCEL_REASON)
        except CalcomError as error:
            logger.warning("orphan %s not cancelled yet (%s); next run", booking.uid, error)
            continue
        report.orphans_cancelled += 1


def _remember_strays(company: Company, ours: list[Booking], report: ReconcileReport) -> None:
    """Our live bookings that are not their phase's current one go into the phase's history
    as not cancelled: its sync then reads them back and cancels them (or keeps one)."""
    phases = _phases_by_id((phase_id_of(b.metadata) or 0 for b in ours), company)
    for booking in ours:
        phase = phases.get(phase_id_of(booking.metadata) or 0)
        if phase is None or _is_current(booking, phase):
            continue
        _add_to_history(phase.pk, booking)
        report.stale += 1
        report.appointments.add(phase.appointment_id)


def _is_current(booking: Booking, phase: AppointmentPhase) -> bool:
    return (
        booking.uid == phase.calcom_booking_uid
        and phase.appointment.status == AppointmentStatus.BOOKED
        and _fits(booking, phase)
    )


def _fits(booking: Booking, phase: AppointmentPhase) -> bool:
    return (booking.start, booking.end, booking.event_type_id) == (
        phase.start_time,
        phase.end_time,
        phase.calcom_event_type_id,
    )


def _add_to_history(phase_id: int, booking: Booking) -> None:
    with transaction.atomic():
        phase = AppointmentPhase.objects.select_for_update().get(pk=phase_id)
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
    company: Company,
    ours: list[Booking],
    start: datetime,
    end: datetime,
    report: ReconcileReport,
) -> None:
    live = {b.uid: b for b in ours}
    phases = AppointmentPhase.objects.filter(
        appointment__company=company,
        appointment__status=AppointmentStatus.BOOKED,
        staff_required=True,
        start_time__gte=start,
        start_time__lt=end,
    ).exclude(sync_task__status__in=[TaskStatus.PENDING, TaskStatus.RUNNING])
    for phase in phases:
        report.live_phases += 1
        booking = live.get(phase.calcom_booking_uid)
        if booking is None or not _fits(booking, phase):
            report.missing += 1
            report.appointments.add(phase.appointment_id)


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
    for booking in foreign:
        stylist = next((staff[h.id] for h in booking.hosts if h.id in staff), None)
        if stylist is None:
            continue
        upsert_busy_block(stylist, booking.uid, booking.start, booking.end)
        seen.add(booking.uid)
        report.external_blocks += 1
        if _overlaps_live_phase(stylist, booking):
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


def upsert_busy_block(stylist: Staff, uid: str, start: datetime, end: datetime) -> None:
    ExternalBusyBlock.objects.update_or_create(
        source="calcom",
        external_id=uid,
        defaults={"staff": stylist, "start": start, "end": end},
    )


def _overlaps_live_phase(stylist: Staff, booking: Booking) -> bool:
    return AppointmentPhase.objects.filter(
        staff=stylist, blocks_staff=True, start_time__lt=booking.end, end_time__gt=booking.start
    ).exists()


def _record_given_up(company: Company, report: ReconcileReport, now: datetime) -> None:
    failed = PhaseSyncTask.objects.filter(company=company, status=TaskStatus.FAILED)
    for task in failed:
        kind = DriftKind.UNMAPPED if task.error_kind == "unmapped" else DriftKind.MANUAL_REVIEW
        _record_drift(company, kind, str(task.phase_id), now, task.last_error)
        report.drift += 1
        report.appointments.add(task.appointment_id)


def _record_drift(company: Company, kind: str, reference: str, now: datetime, detail: str) -> None:
    SyncDrift.objects.update_or_create(
        company=company,
        kind=kind,
        reference=reference,
        resolved_at=None,
        defaults={"detail": detail, "detected_at": now},
    )
