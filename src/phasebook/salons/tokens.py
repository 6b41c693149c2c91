"""Which company a bearer token speaks for: the API authenticates every request with it, the
readiness probe adds a company's own figures for it."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from phasebook.salons.models import ApiToken

# Writing last_used_at on every request would turn each read into a write.
_LAST_USED_RESOLUTION = timedelta(minutes=5)


def authenticate_token(raw: str) -> ApiToken | None:
    """The live token with this value, its company loaded; notes when it was last used."""
    try:
        # get(), not first(): the hash is unique, and first()'s ORDER BY cost a third of
        # this lookup, which every API request makes (bench/README.md).
        token = ApiToken.objects.live().select_related("company").get(key_hash=ApiToken.hash(raw))
    except ApiToken.DoesNotExist:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def bearer_token(request: HttpRequest) -> ApiToken | None:
    """The live token of `Authorization: Bearer …`, if the request carries one."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw:
        return None
    return authenticate_token(raw)
