"""After commit the sync goes to Celery when a broker is configured; the sweeper re-sends what
is due; metrics are exposed for Prometheus."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import override_settings
from prometheus_client import REGISTRY
from prometheus_client.values import MultiProcessValue

from phasebook.calcom.models import CalcomConnection
from phasebook.calsync import tasks
from phasebook.calsync.env import ClientPool, SyncEnv
from phasebook.calsync.sync import drain, sync_appointment
from phasebook.calsync.tasks import LocalRunner, sweep_task, sync_appointment_task
from tests.support.booking import book
from tests.support.mirror import Mirror
from tests.support.scraping import sample, scrape
from tests.support.sync import client_without_limiter


@pytest.fixture
def celery_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    sent: list[Any] = []

    def publish(args: tuple[Any, ...], **options: Any) -> None:
        sent.extend(args)

    monkeypatch.setattr(sync_appointment_task, "apply_async", publish)
    return sent


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
def test_with_a_broker_the_sync_is_sent_to_celery(celery_calls: list[Any]) -> None:
    tasks.dispatch(sync_appointment_task, "0b7c9e5e-0000-4000-8000-000000000000")

    assert celery_calls == ["0b7c9e5e-0000-4000-8000-000000000000"]


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
def test_the_sweeper_resends_whatever_is_due(
    salon: SimpleNamespace, mirror: Mirror, celery_calls: list[Any]
) -> None:
    appointment = book(salon, service=salon.cut)  # its after-commit dispatch was lost

    assert sweep_task() == 1
    assert celery_calls == [str(appointment.pk)]


def test_metrics_count_sync_attempts(
    salon: SimpleNamespace,
    mirror: Mirror,
    env: SyncEnv,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    name = "phasebook_calcom_sync_success_total"
    before = sample(scrape(), name, action="create")
    book(salon, service=salon.cut)
    with django_capture_on_commit_callbacks(execute=True):  # counted after commit
        drain(env)

    assert sample(scrape(), name, action="create") == before + 1


def test_metrics_add_up_the_counts_of_every_worker_process(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    name = "phasebook_calcom_sync_attempts_total"
    before = sample(scrape(), name, action="create")
    for pid, attempts in ((101, 2), (102, 3)):  # what two workers wrote to their files
        worker = MultiProcessValue(process_identifier=lambda pid=pid: pid)
        worker("counter", name, name, ("action",), ("create",), "").inc(attempts)

    assert sample(scrape(), name, action="create") == before + 5


def test_without_a_broker_the_local_runner_plays_the_beat_schedule(
    db: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started = time.monotonic()
    runner = LocalRunner(workers=1)
    ran: list[str] = []
    monkeypatch.setattr(runner, "submit", lambda task, *args: ran.append(task.name))
    try:
        for second in range(1, 30 * 60 + 1):  # half an hour of the timer's ticks
            runner.tick(started + second + 1)
    finally:
        runner.stop()

    assert ran.count("calsync.sweep") == 60
    assert ran.count("calsync.reconcile") == 2


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_local_runner_runs_the_same_task_functions(
    salon: SimpleNamespace, mirror: Mirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    appointment = book(salon, service=salon.cut)
    synced: list[Any] = []
    done = threading.Event()

    def sync(appointment_id: Any) -> None:
        synced.append(appointment_id)
        done.set()

    monkeypatch.setattr(tasks, "sync_appointment", sync)
    runner = LocalRunner(workers=1)
    monkeypatch.setattr(tasks, "local_runner", lambda: runner)
    try:
        tasks.dispatch(sweep_task)  # which dispatches the sync of what is due
        assert done.wait(timeout=30)
    finally:
        runner.stop()

    assert synced == [appointment.pk]


def _seconds_observed(action: str) -> tuple[float, float]:
    labels = {"service_type": "composite", "action": action}
    count = REGISTRY.get_sample_value("phasebook_calcom_sync_seconds_count", labels) or 0.0
    total = REGISTRY.get_sample_value("phasebook_calcom_sync_seconds_sum", labels) or 0.0
    return count, total


def test_sync_seconds_are_observed_once_per_phase_attempt_with_its_own_duration(
    salon: SimpleNamespace,
    mirror: Mirror,
    env: SyncEnv,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    appointment = book(salon)  # a colour: four staff-required phases, synced in parallel
    count_before, sum_before = _seconds_observed("create")

    with django_capture_on_commit_callbacks(execute=True):  # observed after commit
        progresses = sync_appointment(appointment.pk, env)

    count_after, sum_after = _seconds_observed("create")
    assert count_after - count_before == len(progresses) == 4
    assert sum_after - sum_before == pytest.approx(sum(p.seconds for p in progresses))
    assert all(progress.seconds > 0 for progress in progresses)


def test_the_client_pool_closes_the_client_it_replaces(
    salon: SimpleNamespace, mirror: Mirror
) -> None:
    pool = ClientPool(client_without_limiter)
    first = pool(salon.company)
    assert pool(salon.company) is first
    connection = CalcomConnection.objects.get(company=salon.company)
    connection.save()  # e.g. a new API key

    second = pool(salon.company)

    assert second is not first
    assert first._http.is_closed
    assert not second._http.is_closed
