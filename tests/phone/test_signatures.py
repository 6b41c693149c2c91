"""Every Retell request is verified as Retell signs it; anything else is 401 and changes
nothing, and a salon that does not exist is 404."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from retell.lib.webhook_auth import symmetric

from phasebook.phone.models import Call
from tests.support.retell import OTHER_KEY, SALON_KEY, RetellClient, phone_call, sign

# Reference §2.3: vector 1 is the official one (SDK tests), 2–4 computed with the SDK.
VECTORS = [
    (
        '{"event":"call_ended"}',
        "test-api-key",
        1700000000000,
        "07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e",
    ),
    (
        '{"event":"call_started","call":{"call_id":"Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6"}}',
        "key_retell_test",
        1714608475945,
        "5b39394feff427efd267ecaf9499b3ff60cb00d43d2361f661830e006049219d",
    ),
    (
        "",
        "key_retell_test",
        1714608475945,
        "fd07a561a84da84eae2f2822b67ddb42bf52e12e2c800d6747a55a03002b92cb",
    ),
    (
        '{"name":"book_appointment","args":{"service":"Damenhaarschnitt","date":"2026-03-14",'
        '"time":"10:30","customer_name":"Jürgen Müller"},"call":{"call_id":"call_123"}}',
        "key_retell_test",
        1714608475945,
        "b2fe3a3e0f735d11347f0f46cb04ce03f4b3d5c7a3c4944ec797c079668f42fb",
    ),
]
ENDED = {"event": "call_ended", "call": phone_call(call_status="ended")}


@pytest.mark.parametrize(("body", "key", "timestamp", "digest"), VECTORS)
def test_the_test_signer_and_the_sdk_agree_with_the_reference_vectors(
    body: str, key: str, timestamp: int, digest: str
) -> None:
    header = f"v={timestamp},d={digest}"
    assert sign(body, key, timestamp) == header
    assert symmetric["verify"](body, key, header, {"timestamp": timestamp})


def test_the_sdk_allows_five_minutes_either_way_and_not_a_millisecond_more() -> None:
    body, key, timestamp, digest = VECTORS[1]
    header = f"v={timestamp},d={digest}"
    for offset, valid in [(300_000, True), (300_001, False), (-300_000, True), (-300_001, False)]:
        assert symmetric["verify"](body, key, header, {"timestamp": timestamp + offset}) is valid


def test_a_signed_webhook_is_recorded(retell_salon: SimpleNamespace) -> None:
    assert retell_salon.retell.post("webhook", ENDED).status_code == 200
    assert Call.objects.filter(company=retell_salon.company, call_id="call_1").exists()


def test_a_signature_over_raw_utf8_with_umlauts_verifies(retell_salon: SimpleNamespace) -> None:
    body = {"event": "call_ended", "call": phone_call(transcript="Kundin: Jürgen Müller, Größe")}
    assert retell_salon.retell.post("webhook", body).status_code == 200
    assert Call.objects.get(call_id="call_1").transcript == "Kundin: Jürgen Müller, Größe"


def _now_ms() -> int:
    return int(time.time() * 1000)


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "v=1700000000000",
        "d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e",
        "v=abc,d=xyz",
        "v={now},d=" + "0" * 64,  # fresh, well-formed, wrong digest
    ],
)
def test_a_malformed_or_wrong_signature_is_refused(
    retell_salon: SimpleNamespace, signature: str
) -> None:
    signature = signature.replace("{now}", str(_now_ms()))
    response = retell_salon.retell.post("webhook", ENDED, signature=signature)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert not Call.objects.exists()


@pytest.mark.parametrize("path", ["webhook", "inbound"])
def test_an_unsigned_request_is_refused_on_every_endpoint(
    retell_salon: SimpleNamespace, path: str
) -> None:
    unsigned = RetellClient(retell_salon.company.slug, None)
    assert unsigned.post(path, ENDED).status_code == 401
    assert not Call.objects.exists()


@pytest.mark.parametrize("age_ms", [300_000 + 5_000, -(300_000 + 5_000)])
def test_a_stale_or_future_signature_is_refused(retell_salon: SimpleNamespace, age_ms: int) -> None:
    response = retell_salon.retell.post("webhook", ENDED, timestamp_ms=_now_ms() - age_ms)
    assert response.status_code == 401
    assert not Call.objects.exists()


def test_a_signature_a_minute_old_is_accepted(retell_salon: SimpleNamespace) -> None:
    response = retell_salon.retell.post("webhook", ENDED, timestamp_ms=_now_ms() - 60_000)
    assert response.status_code == 200


def test_a_tampered_body_is_refused(retell_salon: SimpleNamespace) -> None:
    text = '{"event":"call_ended","call":{"call_id":"call_1"}}'
    signature = sign(text, SALON_KEY)
    response = retell_salon.retell.post("webhook", None, raw=text + " ", signature=signature)
    assert response.status_code == 401


def test_another_salons_key_is_refused(
    retell_salon: SimpleNamespace, retell_other_salon: SimpleNamespace
) -> None:
    signed_by_b = RetellClient(retell_salon.company.slug, OTHER_KEY)
    assert signed_by_b.post("webhook", ENDED).status_code == 401
    assert not Call.objects.exists()


def test_a_salon_without_a_retell_connection_refuses_everything(salon: SimpleNamespace) -> None:
    response = RetellClient(salon.company.slug, SALON_KEY).post("webhook", ENDED)
    assert response.status_code == 401


def test_a_disabled_connection_refuses_everything(retell_salon: SimpleNamespace) -> None:
    retell_salon.company.retell_connection.is_enabled = False
    retell_salon.company.retell_connection.save()
    assert retell_salon.retell.post("webhook", ENDED).status_code == 401
    assert not Call.objects.exists()


@pytest.mark.parametrize("path", ["webhook", "inbound"])
def test_an_unknown_salon_is_404(db: None, path: str) -> None:
    response = RetellClient("no-such-salon", SALON_KEY).post(path, ENDED)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_get_is_not_a_webhook(retell_salon: SimpleNamespace) -> None:
    from django.test import Client

    assert Client().get(f"/retell/{retell_salon.company.slug}/webhook").status_code == 405
