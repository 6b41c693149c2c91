"""Typed request and response bodies of API v1 (they make the OpenAPI schema)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime


class SegmentOut(Schema):
    key: str
    name: str
    duration_minutes: int
    staff_required: bool


class ServiceOut(Schema):
    id: int
    name: str
    duration_minutes: int
    is_composite: bool
    segments: list[SegmentOut]
    staff_ids: list[UUID]


class SlotOut(Schema):
    start: AwareDatetime
    end: AwareDatetime
    staff_id: UUID
    staff_name: str = ""


class SlotsOut(Schema):
    results: list[SlotOut]


class CustomerIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)


class BookingIn(Schema):
    service_id: int
    start: AwareDatetime
    staff_id: UUID | None = None
    customer: CustomerIn


class AppointmentIn(Schema):
    """Either `hold_id` (confirm a hold) or service_id + start [+ staff_id] + customer."""

    hold_id: UUID | None = None
    service_id: int | None = None
    start: AwareDatetime | None = None
    staff_id: UUID | None = None
    customer: CustomerIn | None = None


class RescheduleIn(Schema):
    start: AwareDatetime
    staff_id: UUID | None = None


class CancelIn(Schema):
    reason: str | None = Field(default=None, max_length=500)


class PhaseOut(Schema):
    id: int
    segment_key: str
    segment_name: str
    start_time: AwareDatetime
    end_time: AwareDatetime
    duration_minutes: int
    staff_required: bool
    sequence_order: int
    calcom_sync_status: str
    calcom_booking_uid: str
    calcom_booking_id: int | None


class CustomerOut(Schema):
    id: int
    name: str


class AppointmentOut(Schema):
    id: UUID
    status: str
    start: AwareDatetime
    end: AwareDatetime
    service_id: int
    service_name: str
    staff_id: UUID
    staff_name: str
    customer: CustomerOut
    expires_at: AwareDatetime | None
    source: str
    calcom_sync_status: str
    requires_manual_review: bool
    cancel_reason: str
    phases: list[PhaseOut]


class ErrorOut(Schema):
    error: str
    message: str
    details: dict[str, Any] | None = None


class SlotTakenOut(ErrorOut):
    alternatives: list[SlotOut]
