"""A Cal.com webhook speaks for one salon: it finds and changes only that salon's busy blocks,
a malformed signed body gets a 400 in JSON, and the endpoint does not tell which salons exist
or are connected."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from phasebook.calcom.models import CalcomConnection
from phasebook.calcom_emulator import signature
from phasebook.calsync.models import WebhookDelivery
from phasebook.salons.models import ExternalBusyBlock

TEN = datetime(2030, 3, 6, 9, 0, tzinfo=UTC)
ELEVEN = datetime(2030, 3, 6, 10, 0, tzinfo=UTC)
TWO = datetime(2030, 3, 6, 13, 0, tzinfo=UTC)
THREE = datetime(2030, 3, 6, 14, 0, tzinfo=UTC)
REFUSED = {"error": "bad_signature", "message": "Die Webhook-Signatur ist ungültig."}


def _connect(salon: SimpleNamespace, host_id: int, secret: str) -> None:
    salon.anna.calcom_user_id = host_id
    salon.anna.save(update_fields=["calcom_user_id"])
    connection = CalcomConnection(company=salon.company, base_url="https://api.cal.com")
    connection.webhook_secret = secret
    connection.save()


@pytest.fixture
def salons(salon: SimpleNamespace, other_salon: SimpleNamespace) -> SimpleNamespace:
    _connect(salon, 101, "secret-a")
    _connect(other_salon, 201, "secret-b")
    ExternalBusyBlock.objects.create(
        staff=salon.anna, source="calcom", external_id="uid-of-a", start=TEN, end=ELEVEN
    )
    return SimpleNamespace(a=salon, b=other_salon)


def _body(trigger: str, **payload: Any) -> dict[str, Any]:
    return {"triggerEvent": trigger, "createdAt": "2030-03-01T00:00:00Z", "payload": payload}


def _booking(uid: str, host_id: int, start: datetime, end: datetime, **extra: Any) -> dict:
    return {
        "uid": uid,
        "startTime": start.isoformat(),
        "endTime": end.isoformat(),
        "organizer": {"id": host_id},
        **extra,
    }


def _deliver(slug: str, body: Any, secret: str) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Client().post(
        f"/webhooks/calcom/{slug}",
        raw,
        content_type="application/json",
        headers={"X-Cal-Signature-256": signature(secret, raw)},
    )


def _block_of_a() -> tuple[Any, ...]:
    block = ExternalBusyBlock.objects.get(company__slug="salon-a")
    return block.staff.name, block.start, block.end


def test_another_salons_booking_with_the_same_uid_leaves_this_salons_block_alone(
    salons: SimpleNamespace,
) -> None:
    created = _body("BOOKING_CREATED", **_booking("uid-of-a", 201, TWO, THREE))

    response = _deliver("salon-b", created, "secret-b")

    assert response.status_code == 200
    assert _block_of_a() == ("Anna", TEN, ELEVEN)
    theirs = ExternalBusyBlock.objects.get(company=salons.b.company)
    assert (theirs.staff_id, theirs.external_id, theirs.start) == (
        salons.b.anna.pk,
        "uid-of-a",
        TWO,
    )


def test_another_salon_cannot_cancel_or_move_this_salons_block(salons: SimpleNamespace) -> None:
    moved = _booking("uid-new", 201, TWO, THREE, rescheduleUid="uid-of-a")

    _deliver("salon-b", _body("BOOKING_CANCELLED", uid="uid-of-a"), "secret-b")
    _deliver("salon-b", _body("BOOKING_RESCHEDULED", **moved), "secret-b")

    assert _block_of_a() == ("Anna", TEN, ELEVEN)


def test_the_stylist_stays_busy_in_explain_after_the_other_salons_webhook(
    salons: SimpleNamespace, api: Any
) -> None:
    _deliver("salon-b", _body("BOOKING_CANCELLED", uid="uid-of-a"), "secret-b")

    explained = api.get(
        "/explain", service=salons.a.cut.pk, start=TEN.isoformat(), staff=str(salons.a.anna.pk)
    ).json()

    rules = [reason["rule"] for member in explained["staff"] for reason in member["reasons"]]
    assert "external_busy" in rules


def test_a_uid_is_kept_once_per_salon(salons: SimpleNamespace) -> None:
    again = _body("BOOKING_RESCHEDULED", **_booking("uid-of-a", 101, TWO, THREE))

    _deliver("salon-a", again, "secret-a")

    assert _block_of_a() == ("Anna", TWO, THREE)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (
            _body("BOOKING_CREATED", uid="u", endTime=THREE.isoformat(), organizer={"id": 101}),
            "startTime",
        ),
        (
            _body("BOOKING_CREATED", **_booking("u", 101, TWO, THREE) | {"startTime": "morgen"}),
            "startTime",
        ),
        (
            _body(
                "BOOKING_CREATED",
                **_booking("u", 101, TWO, THREE) | {"startTime": "2030-03-06T13:00:00"},
            ),
            "startTime",
        ),
        (_body("BOOKING_CREATED", **_booking("u", 101, THREE, TWO)), "endTime"),
        (_body("BOOKING_RESCHEDULED", **_booking("u", 101, TWO, TWO)), "endTime"),
        (_body("BOOKING_CREATED", **_booking("", 101, TWO, THREE)), "uid"),
        (_body("BOOKING_CANCELLED"), "uid"),
        (
            _body("BOOKING_CREATED", **_booking("u", 101, TWO, THREE) | {"organizer": {"id": "x"}}),
            "organizer.id",
        ),
        ({"triggerEvent": "BOOKING_CREATED", "payload": ["not", "an", "object"]}, "payload"),
        ({"payload": {}}, "triggerEvent"),
        (b"{not json", "triggerEvent"),
    ],
)
def test_a_malformed_signed_body_gets_a_400_that_names_the_field(
    salons: SimpleNamespace, body: Any, named: str
) -> None:
    response = _deliver("salon-a", body, "secret-a")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "invalid_request"
    assert named in response.json()["message"]
    assert not WebhookDelivery.objects.exists()
    assert _block_of_a() == ("Anna", TEN, ELEVEN)


def test_unknown_unconnected_and_secretless_salons_answer_like_a_bad_signature(
    salons: SimpleNamespace, db: None
) -> None:
    from tests.factories import make_company

    make_company("ohne-calcom")
    secretless = CalcomConnection.objects.get(company=salons.b.company)
    secretless.webhook_secret = ""
    secretless.save()
    body = _body("BOOKING_CANCELLED", uid="uid-of-a")

    answers = [
        _deliver("salon-a", body, "guessed"),  # connected, wrong signature
        _deliver("gibt-es-nicht", body, "guessed"),
        _deliver("ohne-calcom", body, "guessed"),
        _deliver("salon-b", body, ""),
    ]

    assert [(answer.status_code, answer.json()) for answer in answers] == [(403, REFUSED)] * 4
    assert _block_of_a() == ("Anna", TEN, ELEVEN)
