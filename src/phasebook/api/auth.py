"""Per-company bearer tokens: the token decides the tenant of every API request."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from phasebook.salons.models import ApiToken, Company

# Writing last_used_at on every request would turn each read into a write.
_LAST_USED_RESOLUTION = timedelta(minutes=5)


class CompanyToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Company | None:
        api_token = (
            ApiToken.objects.live().select_related("company").filter(key_hash=ApiToken.hash(token))
        ).first()
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > _LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return api_token.company
