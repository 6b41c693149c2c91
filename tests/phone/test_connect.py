"""`phasebook retell_connect` stores the salon's Retell key encrypted."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from phasebook.phone.models import RetellConnection


def test_the_api_key_is_encrypted_at_rest(salon: SimpleNamespace) -> None:
    call_command(
        "retell_connect",
        company=salon.company.slug,
        api_key="key_plain_123",
        agent_id="agent_9",
        phone_number=["+4930123456"],
    )
    connection = RetellConnection.objects.get(company=salon.company)
    assert "key_plain_123" not in connection.api_key_encrypted
    assert connection.api_key == "key_plain_123"
    assert (connection.agent_id, connection.phone_numbers) == ("agent_9", ["+4930123456"])


def test_the_key_can_come_from_the_environment(
    salon: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHASEBOOK_RETELL_API_KEY", "key_from_env")
    call_command("retell_connect", company=salon.company.slug)
    assert RetellConnection.objects.get(company=salon.company).api_key == "key_from_env"


def test_an_unknown_salon_or_a_bad_number_is_refused(salon: SimpleNamespace) -> None:
    with pytest.raises(CommandError):
        call_command("retell_connect", company="nope", api_key="k")
    with pytest.raises(CommandError):
        call_command("retell_connect", company=salon.company.slug, phone_number=["030 123"])
