"""Every process counted: a sync that fails inside a real Celery worker (its own process,
on Redis) is read from a scrape of that worker's exporter, and the worker logs JSON lines
that carry the task's and the appointment's ids."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
import redis
from django.conf import settings
from django.test import override_settings

from phasebook.calsync.tasks import sync_appointment_task
from phasebook.celery import app as celery_app
from phasebook.monitoring.worker import start_exporter
from tests.support.booking import book
from tests.support.mirror import Mirror
from tests.support.processes import celery_worker, database_url_for_processes, free_port
from tests.support.scraping import sample

FAILED_CREATES = {"service_type": "composite", "action": "create", "http_status": "500"}
WAIT_SECONDS = 90


def scrape_until(url: str, name: str, at_least: float, **labels: str) -> float:
    """Poll the exporter until the sample reaches `at_least`; its last value either way."""
    deadline = time.monotonic() + WAIT_SECONDS
    value = 0.0
    while time.monotonic() < deadline:
        value = sample(httpx.get(url).text, name, **labels)
        if value >= at_least:
            break
        time.sleep(0.2)
    return value


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_sync_failure_in_a_celery_worker_is_read_from_its_exporter(
    salon: SimpleNamespace, mirror: Mirror, redis_url: str, tmp_path: Path
) -> None:
    mirror.emulator.inject_fault(
        "server_error", count=None, method="POST", path_prefix="/v2/bookings"
    )
    appointment = book(salon, customer="Ottilie Brandauer")  # four staff-required phases
    redis.Redis.from_url(redis_url).delete("celery")  # no message of an earlier run
    (tmp_path / "metrics").mkdir()
    exporter = f"127.0.0.1:{free_port()}"
    env = {
        "DATABASE_URL": database_url_for_processes(),
        "CELERY_BROKER_URL": redis_url,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "PHASEBOOK_METRICS_BIND": exporter,
        "PHASEBOOK_SECRET_KEY": settings.SECRET_KEY,  # to read the stored Cal.com key
        "PHASEBOOK_CALCOM_ALLOW_LOOPBACK": "1",
    }
    with celery_worker(env) as worker:
        with celery_app.connection_for_write(redis_url) as broker:
            sync_appointment_task.apply_async((str(appointment.pk),), connection=broker)
        failures = scrape_until(
            f"http://{exporter}/metrics", "phasebook_calcom_sync_failure_total", 4, **FAILED_CREATES
        )
        worker.stop()
        log = worker.output()

    assert failures == 4
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    attempts = [line for line in lines if line["message"] == "phase sync retrying"]
    assert len(attempts) == 4
    assert {line["appointment_id"] for line in attempts} == {str(appointment.pk)}
    assert all(line["task"] == "calsync.sync_appointment" and line["task_id"] for line in attempts)
    assert {line["http_status"] for line in attempts} == {"500"}
    assert "Brandauer" not in log
    assert appointment.customer.email not in log


def test_a_worker_exporter_without_a_metrics_directory_stops_the_worker(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)

    address = ("127.0.0.1", free_port())
    with override_settings(PHASEBOOK_METRICS_BIND=address), pytest.raises(SystemExit):
        start_exporter()

    assert "needs PROMETHEUS_MULTIPROC_DIR" in caplog.text
