"""The mirror's metrics and log lines, driven through the real sync against the emulator."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from phasebook.calsync.env import SyncEnv
from phasebook.calsync.sync import drain
from tests.monitoring.captured import CapturedLog
from tests.support.booking import book
from tests.support.mirror import Mirror
from tests.support.scraping import sample, scrape

FAILURES = "phasebook_calcom_sync_failure_total"
ATTEMPTS = "phasebook_calcom_sync_attempts_total"
SUCCESSES = "phasebook_calcom_sync_success_total"
COMPOSITE_CREATE = {"service_type": "composite", "action": "create"}


def test_cal_com_failures_of_the_real_sync_are_scraped_by_service_type_action_and_status(
    salon: SimpleNamespace,
    mirror: Mirror,
    env: SyncEnv,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    mirror.emulator.inject_fault(
        "server_error", count=None, method="POST", path_prefix="/v2/bookings"
    )
    before = scrape()
    book(salon)  # a colour: four staff-required phases, each created by a POST
    with django_capture_on_commit_callbacks(execute=True):
        drain(env)

    after = scrape()
    labels = COMPOSITE_CREATE | {"http_status": "500"}
    assert sample(after, FAILURES, **labels) == sample(before, FAILURES, **labels) + 4
    assert (
        sample(after, ATTEMPTS, **COMPOSITE_CREATE)
        == sample(before, ATTEMPTS, **COMPOSITE_CREATE) + 4
    )
    assert sample(after, SUCCESSES, **COMPOSITE_CREATE) == sample(
        before, SUCCESSES, **COMPOSITE_CREATE
    )


def test_a_sync_is_counted_only_once_its_outcome_is_committed(
    salon: SimpleNamespace,
    mirror: Mirror,
    env: SyncEnv,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    labels = {"service_type": "simple", "action": "create"}
    before = sample(scrape(), SUCCESSES, **labels)
    book(salon, service=salon.cut)

    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        drain(env)
        uncommitted = sample(scrape(), SUCCESSES, **labels)
    for callback in after_commit:
        callback()

    assert uncommitted == before
    assert sample(scrape(), SUCCESSES, **labels) == before + 1


def test_each_attempt_is_one_log_line_with_the_ids_that_tie_it_to_cal_com(
    salon: SimpleNamespace,
    mirror: Mirror,
    env: SyncEnv,
    django_capture_on_commit_callbacks: Callable[..., Any],
    captured_log: CapturedLog,
) -> None:
    appointment = book(salon, service=salon.cut)
    with django_capture_on_commit_callbacks(execute=True):
        drain(env)

    phase = appointment.phases.get()
    (line,) = [line for line in captured_log.lines() if line["message"].startswith("phase sync")]
    assert line["message"] == "phase sync synced"
    assert (line["appointment_id"], line["phase_id"]) == (str(appointment.pk), phase.pk)
    assert line["calcom_uid"] == phase.calcom_booking_uid != ""
    assert (line["service_type"], line["action"], line["outcome"]) == ("simple", "create", "synced")
