"""Periodic upkeep of the database's rate-limit counters (celery beat, or the in-process runner)."""

from __future__ import annotations

from celery import shared_task

from phasebook.security.throttle import purge_expired_counters


@shared_task(name="security.purge_rate_limits", ignore_result=True)
def purge_rate_limits_task() -> int:
    return purge_expired_counters()
