"""The mechanism on its own, as the phone agent uses it: one run per key, the first outcome
for every retry, another request refused, failures release the key, 24 hours per salon."""

from __future__ import annotations

import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from phasebook.idempotency.models import IdempotencyKey
from phasebook.idempotency.services import (
    InProgress,
    KeyReused,
    Outcome,
    fingerprint,
    purge_expired,
    run_once,
)
from phasebook.idempotency.tasks import purge_task

REQUEST = fingerprint("book", {"service": 1, "start": "2026-03-04T10:00:00+01:00"})


class Counter:
    """An operation that counts its runs and answers with the count."""

    def __init__(self, status: int = 201) -> None:
        self.runs = 0
        self.status = status

    def __call__(self) -> Outcome:
        self.runs += 1
        return Outcome(self.status, f'{{"run": {self.runs}}}')


def test_a_retry_gets_the_first_outcome_and_runs_nothing(salon: SimpleNamespace) -> None:
    operation = Counter()

    first = run_once(salon.company, "retell-tool", "call-1:book", REQUEST, operation)
    retry = run_once(salon.company, "retell-tool", "call-1:book", REQUEST, operation)

    assert operation.runs == 1
    assert (retry.status, retry.body, retry.replayed) == (201, '{"run": 1}', True)
    assert first.replayed is False


def test_the_fingerprint_ignores_the_order_of_keys() -> None:
    assert fingerprint({"a": 1, "b": [2]}) == fingerprint({"b": [2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


def test_the_same_key_for_another_request_is_refused(salon: SimpleNamespace) -> None:
    run_once(salon.company, "retell-tool", "call-1:book", REQUEST, Counter())

    with pytest.raises(KeyReused):
        run_once(salon.company, "retell-tool", "call-1:book", fingerprint("other"), Counter())


def test_keys_belong_to_their_salon_and_scope(
    salon: SimpleNamespace, other_salon: SimpleNamespace
) -> None:
    operation = Counter()

    run_once(salon.company, "retell-tool", "k", REQUEST, operation)
    run_once(other_salon.company, "retell-tool", "k", REQUEST, operation)
    run_once(salon.company, "api-v1", "k", REQUEST, operation)

    assert operation.runs == 3


def test_an_outcome_not_worth_keeping_releases_the_key(salon: SimpleNamespace) -> None:
    failing, working = Counter(status=503), Counter()

    run_once(salon.company, "api-v1", "k", REQUEST, failing)
    retry = run_once(salon.company, "api-v1", "k", REQUEST, working)

    assert (retry.status, retry.replayed, working.runs) == (201, False, 1)


def test_an_exception_releases_the_key_and_still_raises(salon: SimpleNamespace) -> None:
    def crash() -> Outcome:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        run_once(salon.company, "api-v1", "k", REQUEST, crash)

    assert not IdempotencyKey.objects.exists()


def test_a_key_whose_first_run_died_is_never_run_again(salon: SimpleNamespace) -> None:
    IdempotencyKey.objects.create(
        company=salon.company,
        scope="api-v1",
        key="k",
        fingerprint=REQUEST,
        created_at=timezone.now() - timedelta(minutes=10),
        expires_at=timezone.now() + timedelta(hours=23),
    )
    operation = Counter()

    with pytest.raises(InProgress) as unresolved:
        run_once(salon.company, "api-v1", "k", REQUEST, operation)

    assert unresolved.value.abandoned is True
    assert operation.runs == 0


def test_keys_are_kept_for_24_hours_and_then_purged(salon: SimpleNamespace) -> None:
    operation = Counter()
    run_once(salon.company, "api-v1", "k", REQUEST, operation)
    key = IdempotencyKey.objects.get()

    assert key.expires_at - key.created_at == timedelta(hours=24)
    assert purge_expired(key.expires_at - timedelta(seconds=1)) == 0
    assert purge_expired(key.expires_at) == 1


def test_the_purge_runs_on_the_beat_schedule(settings, salon: SimpleNamespace) -> None:
    from phasebook.calsync.tasks import beat_schedule

    scheduled = {task.name: every for every, task in beat_schedule()}
    run_once(salon.company, "api-v1", "k", REQUEST, Counter())
    IdempotencyKey.objects.update(expires_at=timezone.now())

    assert scheduled["idempotency.purge"] == 3600
    assert purge_task() == 1


def test_an_expired_key_that_was_not_purged_yet_is_used_anew(salon: SimpleNamespace) -> None:
    operation = Counter()
    run_once(salon.company, "api-v1", "k", REQUEST, operation)
    IdempotencyKey.objects.update(expires_at=timezone.now())

    again = run_once(salon.company, "api-v1", "k", fingerprint("another request"), operation)

    assert (again.replayed, operation.runs) == (False, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_retry_during_the_first_run_waits_for_its_outcome(salon: SimpleNamespace) -> None:
    started, release = threading.Event(), threading.Event()
    runs: list[str] = []

    def slow() -> Outcome:
        runs.append("slow")
        started.set()
        release.wait(timeout=30)
        return Outcome(201, '{"first": true}')

    def first() -> None:
        try:
            run_once(salon.company, "api-v1", "k", REQUEST, slow)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(timeout=30)
    threading.Timer(0.3, release.set).start()

    retry = run_once(salon.company, "api-v1", "k", REQUEST, Counter())
    thread.join(timeout=30)

    assert (retry.body, retry.replayed, runs) == ('{"first": true}', True, ["slow"])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_retry_that_waits_too_long_is_told_to_come_back(salon: SimpleNamespace, settings) -> None:
    settings.PHASEBOOK_IDEMPOTENCY_WAIT_SECONDS = 0
    started, release = threading.Event(), threading.Event()

    def slow() -> Outcome:
        started.set()
        release.wait(timeout=30)
        return Outcome(201, "{}")

    def first() -> None:
        try:
            run_once(salon.company, "api-v1", "k", REQUEST, slow)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(timeout=30)
    try:
        with pytest.raises(InProgress) as busy:
            run_once(salon.company, "api-v1", "k", REQUEST, Counter())
    finally:
        release.set()
        thread.join(timeout=30)

    assert busy.value.abandoned is False
