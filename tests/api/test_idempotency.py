"""Idempotency-Key on every POST of API v1: a retry whose first answer was lost gets that
answer again instead of a second booking (Stripe's semantics)."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from phasebook.booking.models import Appointment
from phasebook.salons.models import Customer
from tests.factories import next_weekday


def _post(token: str, path: str, body: Any, key: str | None = None, **headers: str) -> Any:
    if key is not None:
        headers["Idempotency-Key"] = key
    return Client().post(
        f"/api/v1{path}",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", **headers},
    )


def _booking(salon: SimpleNamespace, hour: int = 10) -> dict[str, Any]:
    start = next_weekday(timezone.now(), hour=hour)
    return {"service_id": salon.cut.pk, "start": start.isoformat(), "customer": {"name": "Eva"}}


def test_a_retried_booking_without_phone_books_once_and_answers_the_same(salon) -> None:
    first = _post(salon.token, "/appointments", _booking(salon), key="order-17")
    retry = _post(salon.token, "/appointments", _booking(salon), key="order-17")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert (Appointment.objects.count(), Customer.objects.count()) == (1, 1)


def test_without_a_key_a_retry_books_again(salon) -> None:
    _post(salon.token, "/appointments", _booking(salon))
    _post(salon.token, "/appointments", _booking(salon))

    assert Appointment.objects.count() == 2  # why clients send the key


def test_key_order_and_spacing_of_the_body_do_not_matter(salon) -> None:
    body = _booking(salon)
    first = _post(salon.token, "/appointments", body, key="k")
    reordered = dict(reversed(list(body.items())))

    assert _post(salon.token, "/appointments", reordered, key="k").content == first.content


@pytest.mark.parametrize("accept_language", ["de", "en"])
def test_the_same_key_with_another_body_is_refused(salon, accept_language) -> None:
    _post(salon.token, "/appointments", _booking(salon, hour=10), key="k")

    other = _post(
        salon.token,
        "/appointments",
        _booking(salon, hour=11),
        key="k",
        **{"Accept-Language": accept_language},
    )

    assert other.status_code == 422
    assert other.json()["error"] == "idempotency_key_reused"
    assert (
        other.json()["message"]
        == {
            "de": "Dieser Idempotency-Key wurde schon für eine andere Anfrage verwendet.",
            "en": "This Idempotency-Key was already used for another request.",
        }[accept_language]
    )
    assert Appointment.objects.count() == 1


def test_the_same_key_on_another_endpoint_is_refused(salon) -> None:
    _post(salon.token, "/appointments", _booking(salon), key="k")

    assert _post(salon.token, "/holds", _booking(salon), key="k").status_code == 422


def test_a_hold_is_held_once(salon) -> None:
    first = _post(salon.token, "/holds", _booking(salon), key="hold-1")
    retry = _post(salon.token, "/holds", _booking(salon), key="hold-1")

    assert (first.status_code, retry.content) == (201, first.content)
    assert Appointment.objects.count() == 1


def test_a_retried_reschedule_answers_its_first_move_without_moving_again(salon) -> None:
    booked = _post(salon.token, "/appointments", _booking(salon)).json()
    path = f"/appointments/{booked['id']}/reschedule"
    eleven = next_weekday(timezone.now(), hour=11).isoformat()
    twelve = next_weekday(timezone.now(), hour=12).isoformat()

    first = _post(salon.token, path, {"start": eleven}, key="move-1")
    _post(salon.token, path, {"start": twelve})  # moved on by somebody else
    retry = _post(salon.token, path, {"start": eleven}, key="move-1")

    assert retry.content == first.content
    assert Appointment.objects.get().start == next_weekday(timezone.now(), hour=12)


def test_a_retried_cancel_answers_its_first_answer(salon) -> None:
    booked = _post(salon.token, "/appointments", _booking(salon)).json()
    path = f"/appointments/{booked['id']}/cancel"

    first = _post(salon.token, path, {"reason": "krank"}, key="cancel-1")
    retry = _post(salon.token, path, {"reason": "krank"}, key="cancel-1")

    assert (first.status_code, retry.content) == (200, first.content)


def test_a_refusal_is_an_answer_too_and_is_replayed(salon) -> None:
    _post(salon.token, "/appointments", {**_booking(salon), "staff_id": str(salon.anna.pk)})
    taken = {**_booking(salon), "staff_id": str(salon.anna.pk), "customer": {"name": "Ute"}}

    first = _post(salon.token, "/appointments", taken, key="k")
    Appointment.objects.update(status="cancelled", is_live=False)  # the slot is free again
    retry = _post(salon.token, "/appointments", taken, key="k")

    assert (first.status_code, retry.status_code, retry.content) == (409, 409, first.content)


def test_keys_are_per_salon(salon, other_salon) -> None:
    _post(salon.token, "/appointments", _booking(salon), key="k")
    theirs = _post(other_salon.token, "/appointments", _booking(other_salon), key="k")

    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert Appointment.objects.filter(company=other_salon.company).count() == 1


def test_an_unauthenticated_keyed_post_is_answered_401_and_not_kept(salon) -> None:
    refused = _post("wrong-token", "/appointments", _booking(salon), key="k")
    booked = _post(salon.token, "/appointments", _booking(salon), key="k")

    assert (refused.status_code, booked.status_code) == (401, 201)


@pytest.mark.parametrize("key", ["", " ", "x" * 256])
def test_an_empty_or_overlong_key_is_refused(salon, key) -> None:
    response = _post(salon.token, "/appointments", _booking(salon), key=key)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_idempotency_key"
    assert not Appointment.objects.exists()


def test_every_post_documents_the_header(api) -> None:
    schema = api.get("/openapi.json").json()

    posts = [
        operation
        for item in schema["paths"].values()
        for method, operation in item.items()
        if method == "post"
    ]
    assert len(posts) == 5
    assert all(
        any(parameter["name"] == "Idempotency-Key" for parameter in post["parameters"])
        for post in posts
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_double_post_with_one_key_books_one_appointment(salon) -> None:
    barrier = threading.Barrier(2, timeout=30)
    responses: list[Any] = []

    def send() -> None:
        try:
            client_body = _booking(salon)
            barrier.wait()
            responses.append(_post(salon.token, "/appointments", client_body, key="same"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(response.status_code for response in responses) == [201, 201]
    assert responses[0].content == responses[1].content
    assert [response.get("Idempotent-Replayed") for response in responses].count("true") == 1
    assert (Appointment.objects.count(), Customer.objects.count()) == (1, 1)
