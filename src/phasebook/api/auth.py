"""Per-company bearer tokens: the token decides the tenant of every API request."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja.security import HttpBearer

from phasebook.booking.events import Actor
from phasebook.salons.models import ApiToken, Company
from phasebook.salons.tokens import authenticate_token


class CompanyToken(HttpBearer):
    """Sets `request.auth` to the caller's live ApiToken (its company loaded)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return authenticate_token(token)


def token_of(request: HttpRequest) -> ApiToken:
    # CompanyToken authenticated the request, so auth is always a live token.
    return cast(ApiToken, request.auth)  # type: ignore[attr-defined]


def company_of(request: HttpRequest) -> Company:
    return token_of(request).company


def actor_of(request: HttpRequest) -> Actor:
    """The token, as the history names who made a change through the API."""
    return Actor.api(token_of(request))
