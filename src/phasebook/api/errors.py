"""Every API error as `{"error": code, "message": text, ...details}`, the text in the
caller's language (booking/texts.py), which LocaleMiddleware picked from `Accept-Language`.

No exception text or stack trace reaches a caller: unknown errors are logged with their
traceback on our side and answered with a generic 500 message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from phasebook.booking.errors import (
    BookingError,
    InvalidRequest,
    InvalidState,
    NotBookable,
    NotFound,
    RateLimited,
    SlotTaken,
)
from phasebook.booking.rendering import render_reasons
from phasebook.booking.texts import translated

logger = logging.getLogger(__name__)

_STATUS = {
    NotFound: 404,
    InvalidRequest: 400,
    NotBookable: 422,
    SlotTaken: 409,
    InvalidState: 409,
    RateLimited: 429,
}

# Translated when answered: this table is built before any request has a language.
_HTTP_MESSAGES = {
    400: ("bad_request", gettext_noop("Die Anfrage ist fehlerhaft (kein gültiges JSON?).")),
    401: (
        "unauthorized",
        gettext_noop("Bitte mit einem gültigen API-Token anmelden (Authorization: Bearer …)."),
    ),
    403: ("forbidden", gettext_noop("Dafür fehlt die Berechtigung.")),
    404: ("not_found", gettext_noop("Nicht gefunden.")),
    405: ("method_not_allowed", gettext_noop("Diese Methode ist hier nicht erlaubt.")),
}
_OTHER_HTTP_ERROR = ("error", gettext_noop("Fehlerhafte Anfrage."))


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, /, **details: Any
) -> HttpResponse:
    # Positional-only: details may carry their own `status` (InvalidState's appointment status).
    return api.create_response(
        request, {"error": code, "message": message, **details}, status=status
    )


def _field_name(location: tuple[Any, ...]) -> str:
    # ("body", "payload", "customer", "name") -> "customer.name"; ("query", "service") -> "service"
    parts = [
        str(part)
        for part in location
        if part not in ("body", "query", "path", "payload", "query")
        and not str(part).startswith("function-")
    ]
    return ".".join(parts) or "body"


def _field_error(name: str, problem: str) -> dict[str, str]:
    """One entry of an error's `fields`: the field and what is wrong with it."""
    return {"field": name, "message": f"{name}: {problem}"}


def missing_field(name: str) -> dict[str, str]:
    return _field_error(name, gettext("fehlt."))


def _problem(error: dict[str, Any]) -> str:
    """What pydantic found wrong with one field, in our words and the caller's language."""
    kind = str(error.get("type", ""))
    if kind.startswith("phasebook_"):
        return str(error.get("msg") or gettext("ungültiger Wert."))  # schemas.py translated it
    if kind == "missing":
        return gettext("fehlt.")
    if "timezone" in kind:
        return gettext("Zeitangabe mit UTC-Versatz angeben, z. B. 2026-03-02T10:00:00+01:00.")
    if "datetime" in kind:
        return gettext("keine gültige Zeitangabe (ISO 8601 mit Versatz).")
    if "uuid" in kind:
        return gettext("keine gültige ID.")
    if kind.startswith("int"):
        return gettext("erwartet eine ganze Zahl.")
    if kind in ("greater_than_equal", "less_than_equal"):
        return gettext("außerhalb des zulässigen Bereichs.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return gettext("erwartet ein JSON-Objekt.")
    if kind == "extra_forbidden":
        return gettext("unbekanntes Feld.")
    if "too_long" in kind or "too_short" in kind:
        return gettext("unzulässige Länge.")
    return gettext("ungültiger Wert.")


def _validation_message(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    fields = [
        _field_error(_field_name(tuple(error.get("loc", ()))), _problem(error)) for error in errors
    ]
    problems = " ".join(item["message"] for item in fields)
    return gettext("Ungültige Eingabe: %(problems)s") % {"problems": problems}, fields


def _http_error_response(api: NinjaAPI, request: HttpRequest, status: int) -> HttpResponse:
    code, message = _HTTP_MESSAGES.get(status, _OTHER_HTTP_ERROR)
    return error_response(api, request, status, code, gettext(message))


ViewDecorator = Callable[[NinjaAPI, Callable[..., HttpResponse]], Callable[..., HttpResponse]]


class ShapedNinjaAPI(NinjaAPI):
    """A NinjaAPI whose unknown paths (404) and wrong methods (405) answer in the error
    shape too, instead of Django's HTML page or ninja's plain-text body. `view_decorators`
    wrap every endpoint's Django view, the first innermost (e.g. api.idempotency)."""

    def __init__(self, *args: Any, view_decorators: tuple[ViewDecorator, ...] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._view_decorators = view_decorators

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                view = pattern.callback
                for decorate in self._view_decorators:
                    view = decorate(self, view)
                pattern.callback = self._shaped_method_errors(view)
        urls.append(re_path(r"^.*$", csrf_exempt(self._unknown_path)))
        return urls

    def _unknown_path(self, request: HttpRequest) -> HttpResponse:
        return _http_error_response(self, request, 404)

    def _shaped_method_errors(
        self, view: Callable[..., HttpResponse]
    ) -> Callable[..., HttpResponse]:
        @wraps(view)
        def shaped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if response.status_code != 405:
                return response
            shaped_response = _http_error_response(self, request, 405)
            shaped_response["Allow"] = response["Allow"]
            return shaped_response

        return shaped


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(BookingError)
    def booking_error(request: HttpRequest, exc: BookingError) -> HttpResponse:
        status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
        details = dict(exc.details)
        if exc.explained is not None:
            details["reasons"] = render_reasons(exc.explained)
        if isinstance(exc, SlotTaken):
            details["alternatives"] = exc.alternatives
        response = error_response(
            api, request, status, exc.code, translated(exc.message), **details
        )
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        message, fields = _validation_message(list(exc.errors))
        return error_response(api, request, 422, "validation_error", message, fields=fields)

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _http_error_response(api, request, 401)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return _http_error_response(api, request, exc.status_code)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unhandled error in %s %s", request.method, request.path)
        message = gettext("Ein interner Fehler ist aufgetreten. Bitte später erneut versuchen.")
        return error_response(api, request, 500, "internal_error", message)
