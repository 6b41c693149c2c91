"""What the Sync-Zustand page and the Terminbuch's notice read about a salon's Cal.com mirror.

One small reader for the portal (h6's sync-state function for /metrics will take its place
once it lands): counts of pending and failed phases and of appointments that need a person,
the oldest pending phase, and the open drift findings of reconciliation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from phasebook.booking.models import Appointment, AppointmentPhase, SyncStatus
from phasebook.calsync.models import SyncDrift
from phasebook.salons.models import Company


@dataclass(frozen=True)
class SyncHealth:
    pending: int  # staff-required phases still to be mirrored
    failed: int  # phases whose last attempt failed
    manual_review: int  # appointments the sync gave up on
    oldest_pending_since: datetime | None
    oldest_pending: AppointmentPhase | None
    last_finding_at: datetime | None
    findings: list[SyncDrift]

    @property
    def needs_a_person(self) -> int:
        return self.manual_review + len(self.findings)


def load_sync_health(company: Company) -> SyncHealth:
    phases = AppointmentPhase.objects.filter(appointment__company=company, staff_required=True)
    counts = phases.aggregate(
        pending=Count("pk", filter=Q(calcom_sync_status=SyncStatus.PENDING)),
        failed=Count("pk", filter=Q(calcom_sync_status=SyncStatus.FAILED)),
    )
    oldest = (
        phases.filter(calcom_sync_status=SyncStatus.PENDING)
        .select_related("appointment__customer", "appointment__service")
        .order_by("updated_at")
        .first()
    )
    drift = SyncDrift.objects.filter(company=company)
    return SyncHealth(
        pending=counts["pending"],
        failed=counts["failed"],
        manual_review=Appointment.objects.filter(
            company=company, requires_manual_review=True
        ).count(),
        oldest_pending_since=oldest.updated_at if oldest else None,
        oldest_pending=oldest,
        last_finding_at=drift.order_by("-detected_at")
        .values_list("detected_at", flat=True)
        .first(),
        findings=list(drift.filter(resolved_at__isnull=True).order_by("-detected_at")[:20]),
    )


def appointments_to_retry(company: Company) -> list[Appointment]:
    """Appointments whose sync failed or was given up (a cancelled one too: its bookings
    must still go): what "alle erneut synchronisieren" retries, at most 200 at a time."""
    return list(
        Appointment.objects.filter(company=company).filter(
            Q(calcom_sync_status__in=[SyncStatus.FAILED, SyncStatus.PARTIAL])
            | Q(requires_manual_review=True)
        )[:200]
    )
