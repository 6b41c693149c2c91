"""How the mirror is doing, read from the database: what /metrics reports and what the
salon portal's sync-health view shows, from this one function.

`sync_health(companies)` takes the salons to report on explicitly (a salon user's own,
or every salon for Prometheus): there is no "all" default to forget to narrow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q, QuerySet

from phasebook.booking.models import SyncStatus
from phasebook.calcom.models import CalcomConnection
from phasebook.calsync.models import PhaseSyncTask, ReconcileRun, TaskStatus
from phasebook.calsync.outbox import IN_PROGRESS
from phasebook.salons.models import Company


@dataclass(frozen=True)
class ReconcileHealth:
    """The salons with an enabled Cal.com connection, by their latest reconciliation."""

    salons: int
    # The salon reconciled longest ago: its last completed run, or for one that never
    # completed a run, when its connection was made. None without connected salons.
    stalest_completed_at: datetime | None
    never_completed: int
    refused: int  # salons whose latest run refused to act, naming the fix
    found: dict[str, int]  # the latest runs' findings, added up (ReconcileRun.FOUND)


@dataclass(frozen=True)
class SyncHealth:
    phases_pending: int  # waiting for Cal.com, retries included
    phases_failed: int  # their latest attempt failed (retrying or given up)
    phases_given_up: int  # no more retries: a person has to act
    appointments_manual_review: int
    oldest_pending_since: datetime | None
    reconcile: ReconcileHealth

    def oldest_pending_age(self, now: datetime) -> timedelta:
        if self.oldest_pending_since is None:
            return timedelta(0)
        return max(now - self.oldest_pending_since, timedelta(0))


def sync_health(companies: QuerySet[Company]) -> SyncHealth:
    # Done rows are the vast majority and never counted: leave them out before counting.
    open_tasks = PhaseSyncTask.objects.filter(company__in=companies).exclude(status=TaskStatus.DONE)
    counts = open_tasks.aggregate(
        pending=Count("pk", filter=Q(status__in=IN_PROGRESS)),
        failed=Count("pk", filter=Q(phase__calcom_sync_status=SyncStatus.FAILED)),
        given_up=Count("pk", filter=Q(status=TaskStatus.FAILED)),
        # The same rule as `record.aggregate` uses for requires_manual_review.
        manual_review=Count("appointment_id", filter=Q(status=TaskStatus.FAILED), distinct=True),
        oldest=Min("pending_since", filter=Q(status__in=IN_PROGRESS)),
    )
    return SyncHealth(
        phases_pending=counts["pending"],
        phases_failed=counts["failed"],
        phases_given_up=counts["given_up"],
        appointments_manual_review=counts["manual_review"],
        oldest_pending_since=counts["oldest"],
        reconcile=reconcile_health(companies),
    )


def reconcile_health(companies: QuerySet[Company]) -> ReconcileHealth:
    connected = dict(
        CalcomConnection.objects.filter(company__in=companies, is_enabled=True).values_list(
            "company_id", "created_at"
        )
    )
    runs = {run.company_id: run for run in ReconcileRun.objects.filter(company_id__in=connected)}
    completed = {company: _completed_at(runs.get(company)) for company in connected}
    return ReconcileHealth(
        salons=len(connected),
        stalest_completed_at=min(
            (at or connected[company] for company, at in completed.items()), default=None
        ),
        never_completed=sum(1 for at in completed.values() if at is None),
        refused=sum(1 for run in runs.values() if run.refused),
        found={
            kind: sum(getattr(run, kind) for run in runs.values()) for kind in ReconcileRun.FOUND
        },
    )


def _completed_at(run: ReconcileRun | None) -> datetime | None:
    return run.completed_at if run else None
