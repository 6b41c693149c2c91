"""State read from the database at every scrape, so it is right in every process and
cannot drift: the mirror's backlog (`calsync.health.sync_health`, the same numbers the
portal shows) and the holds that ran out.

Every web process reports the same values; the alert rules take max()/min() over targets.
A scrape whose database does not answer still reports the process's own counters, with
`phasebook_database_state_up 0`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from phasebook.booking.models import Appointment, AppointmentStatus
from phasebook.calsync.health import SyncHealth, sync_health
from phasebook.salons.models import Company

logger = logging.getLogger(__name__)

P = "phasebook_calcom_"
Value = Callable[[SyncHealth, datetime], float | None]
GAUGES: list[tuple[str, str, Value]] = [
    (
        f"{P}phases_pending",
        "Phases waiting for Cal.com (retries included)",
        lambda health, now: health.phases_pending,
    ),
    (
        f"{P}phases_failed",
        "Phases whose latest sync attempt failed",
        lambda health, now: health.phases_failed,
    ),
    (
        f"{P}phases_given_up",
        "Phases whose sync gave up (manual review)",
        lambda health, now: health.phases_given_up,
    ),
    (
        f"{P}manual_review_appointments",
        "Appointments waiting for a person",
        lambda health, now: health.appointments_manual_review,
    ),
    (
        f"{P}oldest_pending_phase_age_seconds",
        "How long the longest-waiting phase has been behind Cal.com (0: none waits)",
        lambda health, now: health.oldest_pending_age(now).total_seconds(),
    ),
    # Absent without connected salons: nothing to reconcile, nothing to alert about.
    (
        f"{P}reconcile_last_run_timestamp_seconds",
        "The last completed reconciliation of the salon reconciled longest ago",
        lambda health, now: _timestamp(health.reconcile.stalest_completed_at),
    ),
    (
        f"{P}reconcile_refused_salons",
        "Salons whose latest reconciliation refused",
        lambda health, now: health.reconcile.refused,
    ),
]
FOUND = (f"{P}reconcile_last_found", "What the salons' latest reconciliations found")
EXPIRED_HOLDS = ("phasebook_holds_expired", "Holds that ran out unconfirmed")
UP = ("phasebook_database_state_up", "Whether the database answered the last scrape")


class DatabaseStateCollector(Collector):
    def describe(self) -> Iterable[Metric]:
        """The families without reading the database (prometheus_client asks at register)."""
        yield from (GaugeMetricFamily(name, doc) for name, doc, _ in GAUGES)
        yield GaugeMetricFamily(*FOUND, labels=["kind"])
        yield CounterMetricFamily(*EXPIRED_HOLDS)
        yield GaugeMetricFamily(*UP)

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        try:
            health = sync_health(Company.objects.all())
            expired = expired_holds(now)
        except DatabaseError as error:
            logger.warning("metrics: database state unreadable (%s)", type(error).__name__)
            yield GaugeMetricFamily(*UP, value=0)
            return
        for name, doc, value in GAUGES:
            family = GaugeMetricFamily(name, doc)
            if (measured := value(health, now)) is not None:
                family.add_metric([], measured)
            yield family
        found = GaugeMetricFamily(*FOUND, labels=["kind"])
        for kind, count in health.reconcile.found.items():
            found.add_metric([kind], count)
        yield found
        yield CounterMetricFamily(*EXPIRED_HOLDS, value=expired)
        yield GaugeMetricFamily(*UP, value=1)


def expired_holds(now: datetime) -> int:
    """Holds that ran out unconfirmed; an expired hold stays so, so this only grows."""
    ran_out = Q(status=AppointmentStatus.EXPIRED) | Q(
        status=AppointmentStatus.HELD, hold_expires_at__lte=now
    )
    return Appointment.objects.filter(ran_out).count()


def _timestamp(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment else None
