"""After commit: hand an appointment's sync to Celery, or to the in-process runner.

With `CELERY_BROKER_URL` set the message goes to the broker (acks late, so a worker that dies
mid-task gets its message redelivered). Without it a small thread pool in this process runs the
same function, and a sweeper thread picks up whatever is due, so a lost dispatch or a crashed
attempt only delays the sync: the outbox rows in the database are the durable record.
The runner starts on first use, not at import, so management commands and tests stay quiet.
The work functions are imported where they run: they import the outbox, which imports this.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)

SWEEP_INTERVAL_SECONDS = 30.0
# Without a broker there is no Celery beat: the sweeper reconciles every salon every
# 15 minutes itself, as the beat schedule does in production.
RECONCILE_EVERY_SWEEPS = 30


def dispatch_appointment(appointment_id: uuid.UUID) -> None:
    if settings.CELERY_BROKER_URL:
        from phasebook.calsync.tasks import sync_appointment_task

        sync_appointment_task.delay(str(appointment_id))
    else:
        local_runner().submit(appointment_id)


def dispatch_reconcile(company_slug: str) -> None:
    if settings.CELERY_BROKER_URL:
        from phasebook.calsync.tasks import reconcile_task

        reconcile_task.delay(company_slug)
    else:
        local_runner().reconcile(company_slug)


class LocalRunner:
    """Background threads for a process without a broker (development, the demo)."""

    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="calsync")
        self._stop = threading.Event()
        self._sweeper = threading.Thread(
            target=self._sweep_forever, name="calsync-sweeper", daemon=True
        )
        self._sweeper.start()

    def submit(self, appointment_id: uuid.UUID) -> None:
        self._pool.submit(self._guarded, _sync_one, appointment_id)

    def reconcile(self, company_slug: str) -> None:
        self._pool.submit(self._guarded, _reconcile_one, company_slug)

    def tick(self, number: int) -> None:
        """Sweeper round `number`: re-submit what is due, and now and then reconcile."""
        self._guarded(_sweep_once, self)
        if number % RECONCILE_EVERY_SWEEPS == 0:
            self._pool.submit(self._guarded, _reconcile_all, None)

    def stop(self) -> None:
        self._stop.set()
        self._pool.shutdown(wait=True)

    def _sweep_forever(self) -> None:
        number = 0
        while not self._stop.wait(SWEEP_INTERVAL_SECONDS):
            number += 1
            self.tick(number)

    @staticmethod
    def _guarded(function: Callable[[Any], None], argument: Any) -> None:
        close_old_connections()
        try:
            function(argument)
        except Exception:
            logger.exception("calsync background work failed; the sweeper will retry it")
        finally:
            close_old_connections()


def _sync_one(appointment_id: uuid.UUID) -> None:
    from phasebook.calsync.runner import sync_appointment

    sync_appointment(appointment_id)


def _reconcile_one(company_slug: str) -> None:
    from phasebook.calsync.reconcile import reconcile_company_slug

    reconcile_company_slug(company_slug)


def _reconcile_all(_: None) -> None:
    from phasebook.calsync.reconcile import reconcile_all

    reconcile_all()


def _sweep_once(runner: LocalRunner) -> None:
    from phasebook.calsync.env import default_env
    from phasebook.calsync.runner import due_appointments

    for appointment_id in due_appointments(default_env()):
        runner.submit(appointment_id)


@cache
def local_runner() -> LocalRunner:
    return LocalRunner()
