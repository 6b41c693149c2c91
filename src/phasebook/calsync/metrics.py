"""Prometheus metrics for the Cal.com mirror (seed 5.3): attempts, outcomes, latency, repairs."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

SYNC_ATTEMPTS = Counter("phasebook_calcom_sync_attempts_total", "Phase sync attempts", ["action"])
SYNC_SUCCESS = Counter(
    "phasebook_calcom_sync_success_total", "Phase syncs that converged", ["action"]
)
SYNC_FAILURE = Counter(
    "phasebook_calcom_sync_failure_total", "Phase sync attempts that failed", ["action", "kind"]
)
SYNC_SECONDS = Histogram(
    "phasebook_calcom_sync_seconds", "Wall time of one phase sync attempt", ["action"]
)
RECONCILE_REPAIRS = Counter(
    "phasebook_calcom_reconcile_repairs_total", "Differences reconciliation acted on", ["kind"]
)
SLOT_CHECK_SECONDS = Histogram(
    "phasebook_calcom_slot_check_seconds", "Added latency of the preventive Cal.com slot check"
)
