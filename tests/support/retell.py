"""Retell requests signed exactly as Retell signs them (reference §2.2), by a signer written
here from the reference (phone/test_signatures.py checks it against the official test vector),
so that the endpoints' verification by the SDK is tested against an independent signer.
A pytest plugin (tests/conftest.py): `retell_salon` and `retell_other_salon` are salons with
a Retell connection and a client that signs as Retell does."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from phasebook.phone.models import RetellConnection

SALON_KEY = "key_salon_a_retell"
OTHER_KEY = "key_salon_b_retell"


def sign(body: str, api_key: str, timestamp_ms: int | None = None) -> str:
    timestamp_ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    digest = hmac.new(
        api_key.encode(), (body + str(timestamp_ms)).encode(), hashlib.sha256
    ).hexdigest()
    return f"v={timestamp_ms},d={digest}"


class RetellClient:
    """Posts to a salon's /retell/<slug>/… endpoints, signed with `api_key`."""

    def __init__(self, slug: str, api_key: str | None) -> None:
        self.slug, self.api_key = slug, api_key
        self._client = Client()

    def post(
        self,
        path: str,
        body: Any,
        *,
        raw: str | None = None,
        signature: str | None = None,
        timestamp_ms: int | None = None,
    ) -> Any:
        text = raw if raw is not None else json.dumps(body, ensure_ascii=False)
        headers = {}
        if signature is not None:
            headers["X-Retell-Signature"] = signature
        elif self.api_key is not None:
            headers["X-Retell-Signature"] = sign(text, self.api_key, timestamp_ms)
        return self._client.post(
            f"/retell/{self.slug}/{path}",
            text.encode(),
            content_type="application/json",
            headers=headers,
        )

    def tool(self, name: str, args: dict[str, Any], call: dict[str, Any] | None = None) -> Any:
        body = {"name": name, "args": args, "call": call or phone_call()}
        return self.post(f"functions/{name}", body)


def phone_call(
    call_id: str = "call_1", from_number: str = "+4915112345678", **fields: Any
) -> dict[str, Any]:
    """A live call object as tool requests and webhooks carry it."""
    return {
        "call_id": call_id,
        "agent_id": "agent_1",
        "call_type": "phone_call",
        "direction": "inbound",
        "from_number": from_number,
        "to_number": "+4930123456",
        "call_status": "ongoing",
        **fields,
    }


@pytest.fixture
def retell_salon(salon: SimpleNamespace) -> SimpleNamespace:
    connection = RetellConnection(company=salon.company, agent_id="agent_1")
    connection.api_key = SALON_KEY
    connection.save()
    salon.retell = RetellClient(salon.company.slug, SALON_KEY)
    return salon


@pytest.fixture
def retell_other_salon(other_salon: SimpleNamespace) -> SimpleNamespace:
    connection = RetellConnection(company=other_salon.company)
    connection.api_key = OTHER_KEY
    connection.save()
    other_salon.retell = RetellClient(other_salon.company.slug, OTHER_KEY)
    return other_salon
