"""The registry one scrape reports.

Counters: under gunicorn (see gunicorn_conf) or a Celery worker with several processes,
each process writes its counts to files in PROMETHEUS_MULTIPROC_DIR and a scrape adds up
every file there (and so, on one host with one shared directory, web and workers alike);
a single process reports its own registry. The web's scrapes also read the database
state (`collector`); a worker's exporter leaves that to the web.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from phasebook.monitoring.collector import DatabaseStateCollector


def scrape_registry(*, database_state: bool = True) -> CollectorRegistry:
    registry = CollectorRegistry()
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        MultiProcessCollector(registry)
    else:
        registry.register(ThisProcess())
    if database_state:
        registry.register(DatabaseStateCollector())
    return registry


class ThisProcess(Collector):
    """prometheus_client's default registry: what this process recorded."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()

    def describe(self) -> Iterable[Metric]:
        return []
