"""What the Sync-Zustand page and the Terminbuch's notice show about a salon's Cal.com mirror.

The numbers are `calsync.health.sync_health`'s, the very ones /metrics reports; the page adds
what a person acts on: the oldest pending phase, the latest reconciliation run and the open
findings it could not repair.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from phasebook.booking.models import Appointment, AppointmentPhase, SyncStatus
from phasebook.calsync.health import SyncHealth, sync_health
from phasebook.calsync.models import PhaseSyncTask, ReconcileRun, SyncDrift
from phasebook.calsync.outbox import IN_PROGRESS
from phasebook.salons.models import Company
from phasebook.salons.tenancy import of_company

FINDINGS_SHOWN = 20
RETRIED_AT_ONCE = 200


@dataclass(frozen=True)
class SyncState:
    health: SyncHealth
    oldest_pending: AppointmentPhase | None
    last_run: ReconcileRun | None
    findings: list[SyncDrift]

    @property
    def needs_a_person(self) -> bool:
        refused = self.last_run is not None and bool(self.last_run.refused)
        return bool(
            self.health.phases_failed
            or self.health.appointments_manual_review
            or self.findings
            or refused
        )


def load_sync_state(company: Company) -> SyncState:
    oldest = (
        of_company(PhaseSyncTask.objects, company)
        .filter(status__in=IN_PROGRESS)
        .select_related("phase__appointment__customer", "phase__appointment__service")
        .order_by("pending_since")
        .first()
    )
    return SyncState(
        health=sync_health(Company.objects.filter(pk=company.pk)),
        oldest_pending=oldest.phase if oldest else None,
        last_run=of_company(ReconcileRun.objects, company).first(),
        findings=list(
            of_company(SyncDrift.objects, company)
            .filter(resolved_at__isnull=True)
            .order_by("-detected_at")[:FINDINGS_SHOWN]
        ),
    )


def appointments_to_retry(company: Company) -> list[Appointment]:
    """Appointments whose sync failed or was given up (a cancelled one too: its bookings
    must still go): what "alle erneut synchronisieren" retries, so many at a time."""
    return list(
        of_company(Appointment.objects, company).filter(
            Q(calcom_sync_status__in=[SyncStatus.FAILED, SyncStatus.PARTIAL])
            | Q(requires_manual_review=True)
        )[:RETRIED_AT_ONCE]
    )
