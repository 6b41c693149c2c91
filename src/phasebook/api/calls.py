"""Calls of the phone agent over API v1: `GET /calls` (newest first, paginated) and
`GET /calls/{call_id}` with the appointments of the call, shaped as `/appointments/{id}`."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Field, Query, Router, Schema

from phasebook.api.auth import company_of
from phasebook.api.schemas import ErrorOut
from phasebook.booking.errors import NotFound
from phasebook.phone.models import Call
from phasebook.phone.rendering import CallOut, CallSummaryOut, render_call, render_call_summary
from phasebook.salons.tenancy import of_company

router = Router(tags=["calls"])

ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PageQuery(Schema):
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class CallPageOut(Schema):
    count: int
    limit: int
    offset: int
    results: list[CallSummaryOut]


@router.get("", response={200: CallPageOut, **ERRORS})
def list_calls(request: HttpRequest, query: Query[PageQuery]) -> CallPageOut:
    """The salon's calls, the newest first; `limit` (at most 100) from `offset`."""
    calls = of_company(Call.objects, company_of(request)).select_related("company")
    page = calls.order_by("-created_at", "-id")[query.offset : query.offset + query.limit]
    return CallPageOut(
        count=calls.count(),
        limit=query.limit,
        offset=query.offset,
        results=[render_call_summary(call) for call in page],
    )


@router.get("/{call_id}", response={200: CallOut, **ERRORS})
def get_call(request: HttpRequest, call_id: str) -> CallOut:
    """One call (by Retell's call id) with its appointments and their phases."""
    call = (
        of_company(Call.objects, company_of(request))
        .filter(call_id=call_id)
        .select_related("company")
        .first()
    )
    if call is None:
        raise NotFound(gettext_noop("Diesen Anruf gibt es nicht."))
    return render_call(call)
