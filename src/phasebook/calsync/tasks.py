"""The sync's one entry point: the background tasks, and `dispatch`, which sends them.

`dispatch(task, *args)` hands a task to Celery when `CELERY_BROKER_URL` is set (acks late: a
worker that dies mid-task gets its message redelivered), and otherwise to this process's
`LocalRunner`, whose threads call the very same task functions. Either way the outbox rows in
the database are the durable record; a message that never arrives only delays the sync.

- `sync_appointment_task`: converge one appointment's due phases (`sync.sync_appointment`);
- `sweep_task`: dispatch every appointment with due rows (lost messages, retries whose time
  has come, leases of dead workers);
- `reconcile_task`: compare one salon, or every salon, with Cal.com and dispatch the repairs.
`settings.CELERY_BEAT_SCHEDULE` runs the sweep every 30 s and reconciliation every 15 minutes;
without a broker the local runner's timer thread runs the same schedule.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import close_old_connections

from phasebook.calsync.env import default_env
from phasebook.calsync.outbox import due_appointments
from phasebook.calsync.reconcile import ReconcileReport, reconcile_all, reconcile_company_slug
from phasebook.calsync.sync import sync_appointment
from phasebook.celery import app as celery_app

logger = logging.getLogger(__name__)


@shared_task(name="calsync.sync_appointment", acks_late=True, ignore_result=True)
def sync_appointment_task(appointment_id: str) -> None:
    sync_appointment(uuid.UUID(appointment_id))


@shared_task(name="calsync.sweep", ignore_result=True)
def sweep_task() -> int:
    """Re-dispatch everything due; returns how many appointments."""
    due = due_appointments(default_env())
    for appointment_id in due:
        dispatch(sync_appointment_task, str(appointment_id))
    return len(due)


@shared_task(name="calsync.reconcile", ignore_result=True)
def reconcile_task(company_slug: str | None = None) -> None:
    reports = reconcile_all() if company_slug is None else [reconcile_company_slug(company_slug)]
    for appointment_id in _repairs(reports):
        dispatch(sync_appointment_task, str(appointment_id))


def _repairs(reports: list[ReconcileReport]) -> set[uuid.UUID]:
    return {appointment_id for report in reports for appointment_id in report.appointments}


# Publishing tries twice within a fraction of a second, then gives up: the caller is a
# request whose booking has committed, and the sweeper sends the work again anyway.
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}


def dispatch(task: Task, *args: Any) -> None:
    """Run `task(*args)` in the background: on a Celery worker, or in this process.

    A broker that cannot take the message never fails the caller: the work is in the
    outbox already, and the sweeper sends it once the broker is back.
    """
    if not settings.CELERY_BROKER_URL:
        local_runner().submit(task, *args)
        return
    try:
        task.apply_async(args, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as error:
        # kombu's OperationalError, a socket error or timeout from the transport, whatever
        # the broker's client raises: logged (without the URL, which may hold a password).
        logger.warning(
            "calsync: %s not sent to the broker (%s); the sweeper sends it later",
            task.name,
            type(error).__name__,
        )


class LocalRunner:
    """Background threads for a process without a broker (development, the demo): a small
    pool that runs dispatched tasks, and a timer thread that plays Celery beat."""

    TICK_SECONDS = 1.0

    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="calsync")
        self._stop = threading.Event()
        self._schedule = beat_schedule()
        started = time.monotonic()
        self._next_run = {task.name: started + every for every, task in self._schedule}
        self._timer = threading.Thread(target=self._beat_forever, name="calsync-beat", daemon=True)
        self._timer.start()

    def submit(self, task: Callable[..., Any], *args: Any) -> None:
        self._pool.submit(self._guarded, task, args)

    def tick(self, now: float) -> None:
        """Submit every scheduled task whose time has come at monotonic time `now`."""
        for every, task in self._schedule:
            if now >= self._next_run[task.name]:
                self._next_run[task.name] = now + every
                self.submit(task)

    def stop(self) -> None:
        self._stop.set()
        self._pool.shutdown(wait=True)

    def _beat_forever(self) -> None:
        while not self._stop.wait(self.TICK_SECONDS):
            self.tick(time.monotonic())

    @staticmethod
    def _guarded(task: Callable[..., Any], args: tuple[Any, ...]) -> None:
        close_old_connections()
        try:
            task(*args)
        except Exception:
            logger.exception("calsync background work failed; the sweeper will retry it")
        finally:
            close_old_connections()


def beat_schedule() -> list[tuple[float, Task]]:
    """`CELERY_BEAT_SCHEDULE` as (seconds between runs, task) pairs. Its tasks are found by
    name in Celery's registry, which loads every app's tasks.py (e.g. the phone app's)."""
    celery_app.loader.import_default_modules()
    entries: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
    return [
        (float(entry["schedule"]), celery_app.tasks[entry["task"]]) for entry in entries.values()
    ]


@cache
def local_runner() -> LocalRunner:
    """Started on first use, not at import, so management commands and tests stay quiet."""
    return LocalRunner()
