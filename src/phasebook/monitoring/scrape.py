"""The registry one scrape reports.

Under gunicorn (see gunicorn_conf) or a Celery worker with several processes, each process
writes its counts to files in PROMETHEUS_MULTIPROC_DIR and a scrape adds up every file there;
a single process reports its own registry.
"""

from __future__ import annotations

import os

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector


def scrape_registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry
