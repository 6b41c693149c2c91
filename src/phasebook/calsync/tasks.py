"""Celery tasks: thin wrappers, so Celery and the in-process runner run the same functions."""

from __future__ import annotations

import uuid

from celery import shared_task

from phasebook.calsync.env import default_env
from phasebook.calsync.reconcile import reconcile_all, reconcile_company_slug
from phasebook.calsync.runner import due_appointments, sync_appointment


@shared_task(name="calsync.sync_appointment", acks_late=True, ignore_result=True)
def sync_appointment_task(appointment_id: str) -> None:
    sync_appointment(uuid.UUID(appointment_id))


@shared_task(name="calsync.sweep", ignore_result=True)
def sweep_task() -> int:
    """Re-dispatch everything due: lost messages, retries whose time has come, dead leases."""
    due = due_appointments(default_env())
    for appointment_id in due:
        sync_appointment_task.delay(str(appointment_id))
    return len(due)


@shared_task(name="calsync.reconcile", ignore_result=True)
def reconcile_task(company_slug: str | None = None) -> None:
    if company_slug is None:
        reconcile_all()
    else:
        reconcile_company_slug(company_slug)
