"""Who is calling: every Retell request is verified with the salon's API key, exactly as
Retell signs it, by the official SDK (`retell.lib.verify`): `X-Retell-Signature:
v=<unix ms>,d=<hex HMAC-SHA256 of raw body + timestamp>`, at most five minutes off.

The raw body is verified as received: re-serialising parsed JSON would change it (key order,
`ensure_ascii` turning "ü" into "\\u00fc") and break every signature on a German name.
"""

from __future__ import annotations

from retell.lib import verify

from phasebook.common.crypto import SecretUnreadable
from phasebook.phone.models import RetellConnection


def is_signed_by(connection: RetellConnection, raw_body: bytes, signature: str | None) -> bool:
    if not signature or not connection.is_enabled or not connection.has_api_key:
        return False
    try:
        body, api_key = raw_body.decode("utf-8"), connection.api_key
    except (UnicodeDecodeError, SecretUnreadable):
        return False  # Retell signs text; a key we cannot read verifies nothing
    return bool(verify(body, api_key, signature))
