"""Holds and bookings that cannot be abused: per-token and per-caller rates, caps on live
holds, all per salon, answered 429 with Retry-After in the caller's language."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.utils import timezone

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.events import Actor
from phasebook.booking.models import Appointment, AppointmentEvent
from phasebook.booking.services import BookingRequest, hold_appointment
from phasebook.salons.models import Customer
from phasebook.security import throttle
from phasebook.security.models import RateLimitCounter
from tests.factories import make_token, next_weekday, set_limits
from tests.support.processes import free_port


def _post(token: str, path: str, body: Any, **headers: str) -> Any:
    return Client().post(
        f"/api/v1{path}",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", **headers},
    )


def _hold(
    salon: SimpleNamespace, minute: int, phone: str = "", token: str | None = None, **headers: str
) -> Any:
    start = next_weekday(timezone.now(), hour=9) + timedelta(minutes=minute)
    customer = {"name": f"Kundin {minute}"} | ({"phone": phone} if phone else {})
    body = {"service_id": salon.cut.pk, "start": start.isoformat(), "customer": customer}
    return _post(token or salon.token, "/holds", body, **headers)


def _limit(salon: SimpleNamespace, **limits: int) -> None:
    set_limits(salon.company, **limits)


def _live_holds() -> int:
    return Appointment.objects.filter(status="held").count()


def test_a_token_over_its_rate_gets_429_with_retry_after(salon) -> None:
    _limit(salon, client_writes_per_minute=3)

    answers = [_hold(salon, 45 * n).status_code for n in range(4)]
    refused = _hold(salon, 210)

    assert answers == [201, 201, 201, 429]
    assert refused.json()["error"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["message"].startswith("Zu viele Buchungen und Reservierungen")
    assert refused.json()["retry_after"] == int(refused["Retry-After"])


def test_the_429_speaks_english_to_an_english_caller(salon) -> None:
    _limit(salon, client_writes_per_minute=1)
    _hold(salon, 0)

    refused = _hold(salon, 60, **{"Accept-Language": "en"})

    assert refused.json()["message"] == (
        f"Too many bookings and holds in a short time. Please try again in "
        f"{refused['Retry-After']} seconds."
    )


def test_another_token_of_the_salon_has_its_own_rate(salon) -> None:
    _limit(salon, client_writes_per_minute=1)
    _hold(salon, 0)

    assert _hold(salon, 60, token=make_token(salon.company)).status_code == 201


def test_one_caller_cannot_hold_again_and_again(salon) -> None:
    _limit(salon, caller_writes_per_hour=2, live_holds_per_caller=10)

    answers = [_hold(salon, 45 * n, phone="0151 12345678").status_code for n in range(3)]

    assert answers == [201, 201, 429]
    assert _hold(salon, 180, phone="0151 87654321").status_code == 201


def test_a_client_holds_only_so_many_starts_at_once(salon) -> None:
    _limit(salon, live_holds_per_client=2)

    answers = [_hold(salon, 45 * n).status_code for n in range(3)]
    refused = _hold(salon, 210)

    assert answers == [201, 201, 429]
    assert refused.json()["message"].startswith("Zu viele Reservierungen gleichzeitig")
    assert int(refused["Retry-After"]) <= 300  # when the first hold runs out
    assert _live_holds() == 2


@pytest.mark.parametrize(
    ("cap", "phones"),
    [("live_holds_per_client", ["", ""]), ("live_holds_per_caller", ["0151 12345678"] * 2)],
)
def test_a_hold_over_the_cap_is_never_written(salon, cap: str, phones: list[str]) -> None:
    _limit(salon, **{cap: 1})
    assert _hold(salon, 0, phone=phones[0]).status_code == 201
    written = [model.objects.count() for model in (Appointment, AppointmentEvent, Customer)]

    assert _hold(salon, 60, phone=phones[1]).status_code == 429

    assert [model.objects.count() for model in (Appointment, AppointmentEvent, Customer)] == (
        written
    )


def test_a_confirmed_hold_frees_a_place_under_the_cap(salon) -> None:
    _limit(salon, live_holds_per_client=1)
    first = _hold(salon, 0).json()
    _post(salon.token, "/appointments", {"hold_id": first["id"]})

    assert _hold(salon, 60).status_code == 201


def test_a_caller_holds_only_so_many_starts_at_once(salon) -> None:
    _limit(salon, live_holds_per_caller=1)

    assert _hold(salon, 0, phone="+49 151 12345678").status_code == 201
    assert _hold(salon, 60, phone="0151 12345678").status_code == 429  # the same number


def test_limits_are_the_salons_own(salon, other_salon) -> None:
    _limit(salon, live_holds_per_client=1)
    _hold(salon, 0)

    assert _hold(other_salon, 0).status_code == 201
    assert _hold(other_salon, 60).status_code == 201


def test_the_salons_own_staff_is_not_limited(salon) -> None:
    _limit(salon, live_holds_per_client=0, client_writes_per_minute=0)
    start = next_weekday(timezone.now())

    hold = hold_appointment(
        salon.company,
        BookingRequest(salon.cut.pk, start, CustomerDetails("Eva")),
        actor=Actor.admin(User.objects.create_user("rezeption")),
    )

    assert hold.status == "held"


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_concurrent_hits_are_all_counted_in_the_database(db) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(12, timeout=30)

    def hit() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                try:
                    throttle.hit("40/minute", "flood")
                    results.append(True)
                except throttle.Throttled:
                    results.append(False)
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert (results.count(True), results.count(False)) == (40, 20)
    assert RateLimitCounter.objects.get().hits == 60


@pytest.mark.redis
def test_with_redis_configured_the_counts_live_in_redis(salon, settings, redis_url) -> None:
    settings.PHASEBOOK_RATE_LIMIT_REDIS_URL = redis_url
    throttle._limiter(redis_url).storage.reset()
    _limit(salon, client_writes_per_minute=2)

    answers = [_hold(salon, 45 * n).status_code for n in range(3)]

    assert answers == [201, 201, 429]
    assert not RateLimitCounter.objects.exists()


def test_without_its_redis_the_limits_are_counted_in_the_database(salon, settings) -> None:
    """The limiter's Redis is the broker by default: its outage must not fail a booking."""
    settings.PHASEBOOK_RATE_LIMIT_REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    _limit(salon, client_writes_per_minute=2)

    answers = [_hold(salon, 45 * n).status_code for n in range(3)]

    assert answers == [201, 201, 429]
    assert RateLimitCounter.objects.get().hits == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_a_concurrent_hold_flood_ends_in_429s_and_the_day_stays_bookable(salon) -> None:
    """Cuts of 30 minutes every 15 minutes: any two fit on the two stylists, so the two holds
    under the cap get their starts, and a 409 means that a hold over it blocked a stylist."""
    _limit(salon, live_holds_per_client=2, client_writes_per_minute=1000)
    flood = 24
    barrier = threading.Barrier(flood, timeout=30)
    statuses: list[int] = []

    def hold(minute: int) -> None:
        try:
            barrier.wait()
            statuses.append(_hold(salon, minute).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=hold, args=(15 * n,)) for n in range(flood)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(statuses) == [201] * 2 + [429] * (flood - 2)
    assert Appointment.objects.count() == 2  # none written over the cap
    someone_else = _hold(salon, 420, token=make_token(salon.company))
    assert someone_else.status_code == 201
