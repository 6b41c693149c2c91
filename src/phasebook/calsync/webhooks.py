"""Inbound Cal.com webhooks: verified, deduplicated, turned into busy blocks and a reconcile.

Our own bookings echo back as webhooks too; they carry our metadata and are ignored here (the
phase sync already knows them), so an echo never creates an appointment or a busy block. A
cancel payload carries no metadata (reference §7): its uid is matched against our phases.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from pydantic import AwareDatetime, BaseModel, Field, ValidationError

from phasebook.booking.models import AppointmentPhase
from phasebook.calcom.models import CalcomConnection
from phasebook.calsync.models import SyncAction, WebhookDelivery
from phasebook.calsync.outbox import request_sync
from phasebook.calsync.plan import is_ours
from phasebook.calsync.reconcile import upsert_busy_block
from phasebook.calsync.tasks import dispatch, reconcile_task, sync_appointment_task
from phasebook.salons.models import Company, ExternalBusyBlock, Staff

BOOKING_TRIGGERS = ("BOOKING_CREATED", "BOOKING_RESCHEDULED")


@dataclass(frozen=True)
class WebhookResult:
    status_code: int
    code: str
    message: str


ACCEPTED = WebhookResult(200, "ok", "Verarbeitet.")
DUPLICATE = WebhookResult(200, "duplicate", "Bereits verarbeitet.")
# An unknown salon, one without Cal.com or without a webhook secret, and a wrong signature
# all get this answer, so that the endpoint does not tell which salons are connected.
REFUSED = WebhookResult(403, "bad_signature", "Die Webhook-Signatur ist ungültig.")
_NO_SECRET = secrets.token_hex(32)  # to compute an HMAC all the same when there is none


class _Organizer(BaseModel):
    id: int | None = None


class BookingPayload(BaseModel):
    """The fields of a Cal.com webhook payload that phasebook reads (reference §12)."""

    uid: str = Field(default="", max_length=255)
    startTime: AwareDatetime | None = None  # Cal.com's names
    endTime: AwareDatetime | None = None
    rescheduleUid: str | None = None
    organizer: _Organizer | None = None
    metadata: dict[str, Any] | None = None


@dataclass(frozen=True)
class WebhookEvent:
    """What a signed body says, checked: booking triggers carry their `span`."""

    trigger: str
    uid: str
    metadata: dict[str, Any]
    reschedule_uid: str | None = None
    organizer_id: int | None = None
    span: tuple[datetime, datetime] | None = None


class MalformedWebhook(ValueError):
    """A signed body phasebook cannot act on; the message names the fields."""


def signature_is_valid(secret: str, raw_body: bytes, header: str | None) -> bool:
    """`X-Cal-Signature-256` = hex HMAC-SHA256 of the exact body bytes (reference §12)."""
    expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return header is not None and hmac.compare_digest(expected, header)


def handle_webhook(company_slug: str, raw_body: bytes, signature: str | None) -> WebhookResult:
    connection = (
        CalcomConnection.objects.select_related("company")
        .filter(company__slug=company_slug, is_enabled=True)
        .first()
    )
    secret = connection.webhook_secret if connection is not None else ""
    valid = signature_is_valid(secret or _NO_SECRET, raw_body, signature)  # computed either way
    if connection is None or not secret or not valid:
        return REFUSED
    try:
        event = parse_event(raw_body)
    except MalformedWebhook as error:
        return WebhookResult(400, "invalid_request", f"Der Webhook-Inhalt ist unlesbar: {error}")
    return _apply_once(connection.company, raw_body, event)


def parse_event(raw_body: bytes) -> WebhookEvent:
    """The trigger and payload of a signed body, checked before anything is written."""
    try:
        body = json.loads(raw_body)
        trigger, payload = str(body["triggerEvent"]), BookingPayload.model_validate(body["payload"])
    except ValidationError as error:
        fields = sorted({".".join(map(str, item["loc"])) or "payload" for item in error.errors()})
        raise MalformedWebhook(f"ungültig: {', '.join(fields)}.") from error
    except (ValueError, KeyError, TypeError) as error:
        raise MalformedWebhook("triggerEvent und payload erwartet.") from error
    return WebhookEvent(
        trigger,
        _uid(trigger, payload),
        payload.metadata or {},
        payload.rescheduleUid,
        payload.organizer.id if payload.organizer else None,
        _span(payload) if trigger in BOOKING_TRIGGERS else None,
    )


def _uid(trigger: str, payload: BookingPayload) -> str:
    if not payload.uid and (trigger in BOOKING_TRIGGERS or trigger == "BOOKING_CANCELLED"):
        raise MalformedWebhook("es fehlt: uid.")
    return payload.uid


def _span(payload: BookingPayload) -> tuple[datetime, datetime]:
    start, end = payload.startTime, payload.endTime
    if start is None or end is None:
        missing = [name for name, value in (("startTime", start), ("endTime", end)) if not value]
        raise MalformedWebhook(f"es fehlt: {', '.join(missing)}.")
    if end <= start:
        raise MalformedWebhook("endTime liegt nicht nach startTime.")
    return start, end


def _apply_once(company: Company, raw_body: bytes, event: WebhookEvent) -> WebhookResult:
    digest = hashlib.sha256(raw_body).hexdigest()
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(
                company=company, digest=digest, trigger=event.trigger[:40], booking_uid=event.uid
            )
            if is_ours(event.metadata):
                return ACCEPTED  # our own echo: nothing to learn
            _apply(company, event)
            transaction.on_commit(partial(dispatch, reconcile_task, company.slug))
    except IntegrityError:
        return DUPLICATE
    return ACCEPTED


def _apply(company: Company, event: WebhookEvent) -> None:
    """Change this salon's busy blocks only: a uid is looked up within `company`."""
    blocks = ExternalBusyBlock.objects.filter(company=company, source="calcom")
    if event.trigger == "BOOKING_CANCELLED":
        blocks.filter(external_id=event.uid).delete()
        _resync_phase_whose_booking_was_cancelled(company, event.uid)
        return
    if event.span is None:
        return  # a trigger that says nothing about busy time
    if event.reschedule_uid:
        blocks.filter(external_id=event.reschedule_uid).delete()
    stylist = Staff.objects.filter(company=company, calcom_user_id=event.organizer_id).first()
    if stylist is not None and event.organizer_id is not None:
        upsert_busy_block(stylist, event.uid, *event.span)


def _resync_phase_whose_booking_was_cancelled(company: Company, uid: str) -> None:
    """Someone cancelled one of our phase bookings in Cal.com: our DB is the truth, so the
    phase is converged again (re-created if the appointment is still booked)."""
    phases = AppointmentPhase.objects.filter(
        Q(calcom_booking_uid=uid), appointment__company=company
    )
    for appointment_id in request_sync(phases, SyncAction.RECONCILE, timezone.now()):
        transaction.on_commit(partial(dispatch, sync_appointment_task, str(appointment_id)))
