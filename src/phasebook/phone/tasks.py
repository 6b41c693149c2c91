"""Celery tasks of the phone app: thin wrappers, as in calsync."""

from __future__ import annotations

from celery import shared_task

from phasebook.phone.retention import remove_personal_data_everywhere


@shared_task(name="phone.remove_call_personal_data", ignore_result=True)
def remove_call_personal_data_task() -> int:
    return remove_personal_data_everywhere()
