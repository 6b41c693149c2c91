"""A broker outage never fails a booking: the booking commits with its outbox rows and answers
as usual, the lost dispatch is logged, and the sweeper sends the sync once the broker is back.
Against a Redis of the test's own, stopped in the middle."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from phasebook.booking.models import Appointment, SyncStatus
from phasebook.calsync.env import SyncEnv
from phasebook.calsync.models import PhaseSyncTask, TaskStatus
from phasebook.calsync.sync import drain
from phasebook.calsync.tasks import sweep_task
from phasebook.celery import app as celery_app
from tests.factories import next_weekday
from tests.support.api import ApiClient
from tests.support.mirror import Mirror
from tests.support.processes import OwnRedis, use_broker


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    server = OwnRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(own_redis: OwnRedis, settings: Any) -> Iterator[OwnRedis]:
    before = celery_app.conf.broker_url
    settings.CELERY_BROKER_URL = own_redis.url
    use_broker(own_redis.url)
    yield own_redis
    use_broker(before)


def _book(api: ApiClient, salon: SimpleNamespace, hour: int) -> Any:
    start = next_weekday(timezone.now(), hour=hour)
    return api.post(
        "/appointments",
        {
            "service_id": salon.cut.pk,
            "start": start.isoformat(),
            "staff_id": str(salon.anna.pk),
            "customer": {"name": f"Kundin {hour}"},
        },
    )


def _readyz() -> Any:
    return Client().get("/readyz")


@pytest.mark.django_db(transaction=True)
def test_bookings_made_while_the_broker_is_away_answer_201_and_are_synced_after_it(
    salon: SimpleNamespace,
    mirror: Mirror,
    env: SyncEnv,
    broker: OwnRedis,
    api: ApiClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = _book(api, salon, hour=10)
    assert before.status_code == 201
    assert broker.queued() == 1

    broker.stop()
    with caplog.at_level(logging.WARNING, logger="phasebook.calsync.tasks"):
        during = [_book(api, salon, hour=hour) for hour in (12, 14)]
    probe_during = _readyz()
    broker.start()
    probe_after = _readyz()

    assert [response.status_code for response in during] == [201, 201]
    made = Appointment.objects.filter(pk__in=[r.json()["id"] for r in during])
    assert made.count() == 2
    assert (
        PhaseSyncTask.objects.filter(appointment__in=made, status=TaskStatus.PENDING).count() == 2
    )
    assert caplog.text.count("not sent to the broker (OperationalError)") == 2
    assert broker.url not in caplog.text
    assert (probe_during.status_code, probe_during.json()["broker"]) == (200, "error")
    assert (probe_after.status_code, probe_after.json()["broker"]) == (200, "ok")

    # The restarted Redis came back empty: the first booking's message was lost with it.
    assert sweep_task() == 3  # nothing ran meanwhile, so all three are due, and now sent
    assert broker.queued() == 3
    drain(env)  # what a worker does with those messages

    for appointment in Appointment.objects.all():
        assert appointment.calcom_sync_status == SyncStatus.SYNCED
        (booking,) = mirror.live_for_phase(appointment.phases.get().pk)
        assert booking.start == appointment.start
