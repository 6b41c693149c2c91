"""After commit the sync goes to Celery when a broker is configured; the sweeper re-sends what
is due; metrics are exposed for Prometheus."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client, override_settings
from prometheus_client.values import MultiProcessValue

from phasebook.calsync import dispatch
from phasebook.calsync.env import SyncEnv
from phasebook.calsync.runner import drain
from phasebook.calsync.tasks import sweep_task, sync_appointment_task
from tests.calsync.conftest import book
from tests.calsync.mirror import Mirror


@pytest.fixture
def celery_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    sent: list[Any] = []
    monkeypatch.setattr(sync_appointment_task, "delay", sent.append)
    return sent


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
def test_with_a_broker_the_sync_is_sent_to_celery(celery_calls: list[Any]) -> None:
    dispatch.dispatch_appointment("0b7c9e5e-0000-4000-8000-000000000000")  # type: ignore[arg-type]

    assert celery_calls == ["0b7c9e5e-0000-4000-8000-000000000000"]


def test_the_sweeper_resends_whatever_is_due(
    salon: SimpleNamespace, mirror: Mirror, celery_calls: list[Any]
) -> None:
    appointment = book(salon, service=salon.cut)  # its after-commit dispatch was lost

    assert sweep_task() == 1
    assert celery_calls == [str(appointment.pk)]


def test_metrics_count_sync_attempts(salon: SimpleNamespace, mirror: Mirror, env: SyncEnv) -> None:
    book(salon, service=salon.cut)
    drain(env)

    body = Client().get("/metrics").content.decode()
    assert 'phasebook_calcom_sync_success_total{action="create"}' in body


def test_metrics_add_up_the_counts_of_every_worker_process(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    name = "phasebook_calcom_sync_attempts_total"
    for pid, attempts in ((101, 2), (102, 3)):  # what two workers wrote to their files
        worker = MultiProcessValue(process_identifier=lambda pid=pid: pid)
        worker("counter", name, name, ("action",), ("create",), "").inc(attempts)

    body = Client().get("/metrics").content.decode()
    assert f'{name}{{action="create"}} 5.0' in body


def test_without_a_broker_the_sweeper_also_reconciles_every_fifteen_minutes(
    db: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sweeps: list[Any] = []
    reconciles: list[Any] = []
    monkeypatch.setattr(dispatch, "_sweep_once", sweeps.append)
    monkeypatch.setattr(dispatch, "_reconcile_all", reconciles.append)
    runner = dispatch.LocalRunner()
    try:
        for number in range(1, 2 * dispatch.RECONCILE_EVERY_SWEEPS + 1):
            runner.tick(number)
    finally:
        runner.stop()

    assert len(sweeps) == 2 * dispatch.RECONCILE_EVERY_SWEEPS
    assert len(reconciles) == 2
    assert dispatch.RECONCILE_EVERY_SWEEPS * dispatch.SWEEP_INTERVAL_SECONDS == 15 * 60
