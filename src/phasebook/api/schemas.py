"""Typed request bodies and the envelopes of API v1 (they make the OpenAPI schema, with the
booking layer's shapes in booking/rendering.py)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from django.utils.translation import gettext
from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, ConfigDict
from pydantic_core import PydanticCustomError

from phasebook.booking.rendering import ReasonOut, SlotOut

# Far-off instants are never bookable, and near year 1 or 9999 date arithmetic overflows
# (a 500). Validation errors of type `phasebook_*` carry their message as `msg`, translated
# into the request's language when they are raised (validation runs inside the request).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _within_range(instant: datetime) -> datetime:
    if not EARLIEST <= instant < LATEST:
        raise PydanticCustomError(
            "phasebook_out_of_range",
            gettext("Zeitangabe außerhalb des zulässigen Bereichs (2000–2099)."),
        )
    return instant


def _printable(text: str) -> str:
    # NUL cannot be stored in PostgreSQL and lone surrogates cannot be encoded at all.
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in text):
        raise PydanticCustomError(
            "phasebook_control_chars", gettext("enthält unzulässige Steuerzeichen.")
        )
    return text


def _day_within_range(day: date) -> date:
    if not EARLIEST.date() <= day < LATEST.date():
        raise PydanticCustomError(
            "phasebook_out_of_range",
            gettext("Zeitangabe außerhalb des zulässigen Bereichs (2000–2099)."),
        )
    return day


Instant = Annotated[AwareDatetime, AfterValidator(_within_range)]
# A calendar date, e.g. the salon's local day that availability's `from`/`to` name.
Day = Annotated[date, AfterValidator(_day_within_range)]
Text = Annotated[str, AfterValidator(_printable)]
# A database id that fits its 64-bit column. In a body only a JSON integer: pydantic would
# otherwise take true, 1.0 or "1" for one. Query strings are text, so there "1" is the id.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]


class InputSchema(Schema):
    """A request body: unknown fields are refused, so a typo (`staff` for `staff_id`) cannot
    silently book "any stylist"."""

    model_config = ConfigDict(extra="forbid")


class SlotsOut(Schema):
    results: list[SlotOut]


class CustomerIn(InputSchema):
    name: Text = Field(min_length=1, max_length=200)
    phone: Text | None = Field(default=None, max_length=40)
    email: Text | None = Field(default=None, max_length=254)


class BookingIn(InputSchema):
    service_id: Id
    start: Instant
    staff_id: UUID | None = None
    customer: CustomerIn


class AppointmentIn(InputSchema):
    """Either `hold_id` (confirm a hold) or service_id + start [+ staff_id] + customer."""

    hold_id: UUID | None = None
    service_id: Id | None = None
    start: Instant | None = None
    staff_id: UUID | None = None
    customer: CustomerIn | None = None


class RescheduleIn(InputSchema):
    start: Instant
    staff_id: UUID | None = None


class CancelIn(InputSchema):
    reason: Text | None = Field(default=None, max_length=500)


class FieldErrorOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """`error` is a stable code, `message` text for people in the caller's language (German,
    or English for `Accept-Language: en`); the details depend on the error and sit next to
    them (hence additional properties)."""

    model_config = ConfigDict(extra="allow")

    error: str
    message: str
    field: str | None = None
    fields: list[FieldErrorOut] | None = None
    reasons: list[ReasonOut] | None = None


class ConflictOut(ErrorOut):
    """409: `slot_taken` carries up to 3 alternative slots; `invalid_state` (e.g. moving a
    cancelled appointment) carries the appointment's `status` instead."""

    alternatives: list[SlotOut] | None = None
    status: str | None = None


class AbsenceIn(InputSchema):
    """An absence of the stylist [start, end). With `dry_run` the answer is its impact and
    plan, and nothing is written; else the absence is recorded and the plan of `plan_id`
    (from a dry run) or, without one, the plan proposed now is applied, except for the
    appointments in `skip`."""

    start: Instant
    end: Instant
    reason: Text = Field(default="", max_length=200)
    dry_run: bool = False
    plan_id: Text | None = Field(default=None, max_length=20_000)
    skip: list[UUID] = Field(default_factory=list, max_length=1_000)
