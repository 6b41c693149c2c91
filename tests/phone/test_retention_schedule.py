"""The retention task runs on Celery beat and, without a broker, on the in-process runner."""

from __future__ import annotations

import time

import pytest

from phasebook.calsync.tasks import LocalRunner


def test_without_a_broker_the_local_runner_removes_call_personal_data_hourly(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = time.monotonic()
    runner = LocalRunner(workers=1)
    ran: list[str] = []
    monkeypatch.setattr(runner, "submit", lambda task, *args: ran.append(task.name))
    try:
        for second in range(1, 3 * 60 * 60 + 60):  # three hours (and a minute) of ticks
            runner.tick(started + second + 1)
    finally:
        runner.stop()

    assert ran.count("phone.remove_call_personal_data") == 3
