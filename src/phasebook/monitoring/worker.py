"""Celery worker hooks: every line a task logs carries the task's id and name, and a
worker started with PHASEBOOK_METRICS_BIND serves its processes' counters there.

The sync runs in the worker's pool processes, so their counts reach Prometheus only through
files in PROMETHEUS_MULTIPROC_DIR, which must be set before the worker starts (prometheus_client
decides at import). Two set-ups (README, Operations):
- an exporter per worker: PHASEBOOK_METRICS_BIND=0.0.0.0:9101 and a directory of its own;
- one host, one shared directory for gunicorn and the workers: the web's /metrics adds them
  all up, and the workers need no PHASEBOOK_METRICS_BIND.
"""

from __future__ import annotations

import logging
import os
from contextvars import Token
from typing import Any

from celery import signals
from django.conf import settings
from prometheus_client import multiprocess, start_http_server

from phasebook.env import format_bind
from phasebook.monitoring.scrape import scrape_registry
from phasebook.telemetry.logs import bind, unbind

logger = logging.getLogger(__name__)

_bound: dict[str, Token[dict[str, Any]]] = {}


def bind_task_ids(task_id: str, task: Any, **kwargs: Any) -> None:
    _bound[task_id] = bind(task_id=task_id, task=task.name)


def unbind_task_ids(task_id: str, **kwargs: Any) -> None:
    token = _bound.pop(task_id, None)
    if token is not None:
        unbind(token)


def start_exporter(**kwargs: Any) -> None:
    """In the worker's main process, before its pool starts (worker_init)."""
    address: tuple[str, int] | None = settings.PHASEBOOK_METRICS_BIND
    if address is None:
        return
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # Celery logs and ignores what a signal handler raises; this must stop the worker,
        # or it would serve counters that never move (the pool processes do the work).
        logger.critical(
            "PHASEBOOK_METRICS_BIND needs PROMETHEUS_MULTIPROC_DIR: an empty directory "
            "for this worker's processes, set before it starts"
        )
        raise SystemExit(2)
    host, port = address
    start_http_server(port, addr=host, registry=scrape_registry(database_state=False))
    logger.info("metrics exporter listening on %s", format_bind(address))


def retire_process_files(**kwargs: Any) -> None:
    """A pool process that ends leaves its counts; only its live gauges must go."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        multiprocess.mark_process_dead(os.getpid())


def connect() -> None:
    uid = "phasebook-monitoring"
    signals.task_prerun.connect(bind_task_ids, weak=False, dispatch_uid=uid)
    signals.task_postrun.connect(unbind_task_ids, weak=False, dispatch_uid=uid)
    signals.worker_init.connect(start_exporter, weak=False, dispatch_uid=uid)
    signals.worker_process_shutdown.connect(retire_process_files, weak=False, dispatch_uid=uid)
