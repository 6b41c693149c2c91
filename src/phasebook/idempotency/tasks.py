"""Periodic upkeep of idempotency keys (celery beat, or the in-process runner)."""

from __future__ import annotations

from celery import shared_task

from phasebook.idempotency.services import purge_expired


@shared_task(name="idempotency.purge", ignore_result=True)
def purge_task() -> int:
    return purge_expired()
