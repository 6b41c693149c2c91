"""Serving phasebook in production: `gunicorn -c python:phasebook.gunicorn_conf phasebook.wsgi`.

Sync workers, two per core (`PHASEBOOK_WORKERS`): a booking is CPU work in Python and in
PostgreSQL, so a few workers serving one request at a time each book more per second
than many threads taking turns at the interpreter lock (bench/README.md has the figures).
The master imports the application once (`preload_app`, with phasebook.warmup's imports)
and forks ready workers: each worker used to import it for itself, seconds of CPU each,
and to serve its first request only after that. A code change therefore needs a restart,
not a HUP, which keeps the old code.

Each worker counts its own Prometheus metrics; /metrics adds them up (prometheus_client's
multiprocess mode). The directory for that is set before any worker imports
prometheus_client, and a worker's files are retired when it exits. With
PHASEBOOK_METRICS_BIND gunicorn also listens on that internal address, where /metrics
needs no token (see phasebook.monitoring.access).
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from typing import Any

from phasebook.env import env_bind, env_int, env_str, format_bind
from phasebook.telemetry.logs import logging_config

_metrics_bind = env_bind("PHASEBOOK_METRICS_BIND")
bind = [env_str("PHASEBOOK_BIND", "127.0.0.1:8000")] + (
    [format_bind(_metrics_bind)] if _metrics_bind else []
)
workers = env_int("PHASEBOOK_WORKERS", 2 * multiprocessing.cpu_count(), minimum=1)
preload_app = True
# gunicorn's own lines as JSON like the app's; no access log: phasebook logs each request
# itself, with its request id and without the query string.
logconfig_dict = logging_config(
    env_str("PHASEBOOK_LOG_LEVEL", "INFO"), env_str("PHASEBOOK_LOG_FORMAT", "json")
)
logconfig_dict["loggers"] |= {
    # Configured here, so dictConfig replaces the plain handler gunicorn gives it.
    "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
    "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
}
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:  # a fresh one: no counts of earlier runs
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="phasebook-metrics-")


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
