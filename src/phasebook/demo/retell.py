"""The demo salon's Retell connection: a key to sign requests with, and where to send them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from phasebook.phone.models import RetellConnection
from phasebook.salons.models import Company


@dataclass(frozen=True)
class DemoRetell:
    api_key: str
    base_url: str  # …/retell/<slug>

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/webhook"

    @property
    def inbound_url(self) -> str:
        return f"{self.base_url}/inbound"

    @property
    def functions_url(self) -> str:
        return f"{self.base_url}/functions/<tool>"

    @property
    def tools_url(self) -> str:
        return f"{self.base_url}/tools.json"


def connect_demo_retell(company: Company, server_url: str, raw_key: str | None) -> DemoRetell:
    """The demo's Retell key: `raw_key` (PHASEBOOK_DEMO_RETELL_KEY) if given, else a new one."""
    api_key = raw_key or f"key_demo_{secrets.token_hex(16)}"
    connection, _ = RetellConnection.objects.get_or_create(company=company)
    connection.api_key = api_key
    connection.is_enabled = True
    connection.save()
    return DemoRetell(api_key=api_key, base_url=f"{server_url}/retell/{company.slug}")
