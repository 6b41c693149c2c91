"""Prometheus metrics that the apps record (the README's operations section lists them all).

Counters that claim something happened (a booking) are incremented after the commit that
made it true, never inside the transaction, which may still roll back. State that the
database already knows (pending phases, expired holds) is not counted here but read at
scrape time by `phasebook.monitoring.collector`, so it cannot drift.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

BOOKINGS = Counter(
    "phasebook_bookings_total", "Appointments booked, after commit, by channel", ["source"]
)
BOOKING_CONFLICTS = Counter(
    "phasebook_booking_conflicts_total",
    "Bookings and reschedules refused because the time was taken meanwhile",
    ["source"],
)
HOLDS_CREATED = Counter("phasebook_holds_created_total", "Holds placed, after commit")

# Retell waits for each tool call while the caller listens; the alert fires at p95 > 300 ms,
# so the buckets are finest around that.
PHONE_TOOL_SECONDS = Histogram(
    "phasebook_phone_tool_seconds",
    "Time a phone agent tool (custom function) takes to answer",
    ["tool"],
    buckets=(0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 1.0, 2.0, 5.0),
)
