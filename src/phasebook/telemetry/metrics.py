"""Every Prometheus metric the apps record (the README's operations section explains them).

Counters that claim something happened (a booking, a synced phase) are incremented after
the commit that made it true, never inside the transaction, which may still roll back.
State that the database already knows (pending phases, manual review, the last
reconciliation, expired holds) is not counted here but read at scrape time by
`phasebook.monitoring.collector`, so it cannot drift.

Label values come from small fixed sets, never from callers: `service_type` composite or
simple, `action` create/reschedule/cancel/reconcile, `source` api/phone/admin/demo,
`http_status` Cal.com's status code or "none", `kind` `calsync.errors.error_kind`.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

# --- the Cal.com mirror (seed Part 5.3) -----------------------------------------------------

SYNC_ATTEMPTS = Counter(
    "phasebook_calcom_sync_attempts_total",
    "Phase sync attempts that reached Cal.com",
    ["service_type", "action"],
)
SYNC_SUCCESS = Counter(
    "phasebook_calcom_sync_success_total",
    "Phase sync attempts that converged the phase",
    ["service_type", "action"],
)
SYNC_FAILURE = Counter(
    "phasebook_calcom_sync_failure_total",
    "Phase sync attempts that failed (each also counts as an attempt)",
    ["service_type", "action", "http_status", "kind"],
)
SYNC_THROTTLED = Counter(
    "phasebook_calcom_sync_throttled_total",
    "Phase syncs our own Cal.com rate limiter held back before sending (no attempt)",
    ["service_type", "action"],
)
SYNC_SECONDS = Histogram(
    "phasebook_calcom_sync_seconds",
    "Wall time of one phase sync attempt (all its Cal.com calls)",
    ["service_type", "action"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
RECONCILE_REPAIRS = Counter(
    "phasebook_calcom_reconcile_repairs_total", "Differences reconciliation acted on", ["kind"]
)
SLOT_CHECK_SECONDS = Histogram(
    "phasebook_calcom_slot_check_seconds", "Added latency of the preventive Cal.com slot check"
)

# --- bookings -------------------------------------------------------------------------------

BOOKINGS = Counter(
    "phasebook_bookings_total", "Appointments booked, after commit, by channel", ["source"]
)
BOOKING_CONFLICTS = Counter(
    "phasebook_booking_conflicts_total",
    "Bookings and reschedules refused because the time was taken meanwhile",
    ["source"],
)
HOLDS_CREATED = Counter("phasebook_holds_created_total", "Holds placed, after commit")

# --- the phone agent ------------------------------------------------------------------------

# Retell waits for each tool call while the caller listens; the alert fires at p95 > 300 ms,
# so the buckets are finest around that.
PHONE_TOOL_SECONDS = Histogram(
    "phasebook_phone_tool_seconds",
    "Time a phone agent tool (custom function) takes to answer",
    ["tool"],
    buckets=(0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 1.0, 2.0, 5.0),
)
