"""Secrets at rest (Cal.com API keys, webhook secrets), encrypted with Fernet.

The key comes from PHASEBOOK_ENCRYPTION_KEY, or is derived from SECRET_KEY so that a
local setup needs nothing; rotating either makes stored secrets unreadable, which
`decrypt` reports as SecretUnreadable instead of returning garbage.
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(RuntimeError):
    pass


@cache
def _fernet(configured_key: str, secret_key: str) -> Fernet:
    if configured_key:
        return Fernet(configured_key.encode())
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"phasebook-secrets", info=b"fernet"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _current() -> Fernet:
    return _fernet(settings.PHASEBOOK_ENCRYPTION_KEY, settings.SECRET_KEY)


def encrypt(plain: str) -> str:
    return _current().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable("stored secret cannot be decrypted with the current key") from error
