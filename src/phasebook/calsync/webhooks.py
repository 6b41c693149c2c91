"""Inbound Cal.com webhooks: verified, deduplicated, turned into busy blocks and a reconcile.

Our own bookings echo back as webhooks too; they carry our metadata and are ignored here (the
phase sync already knows them), so an echo never creates an appointment or a busy block. A
cancel payload carries no metadata (reference §7): its uid is matched against our phases.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

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
    if connection is None:
        return WebhookResult(404, "not_found", "Für diesen Salon ist Cal.com nicht verbunden.")
    if not connection.webhook_secret or not signature_is_valid(
        connection.webhook_secret, raw_body, signature
    ):
        return WebhookResult(403, "bad_signature", "Die Webhook-Signatur ist ungültig.")
    try:
        body = json.loads(raw_body)
        trigger, payload = str(body["triggerEvent"]), dict(body["payload"])
    except (ValueError, KeyError, TypeError):
        return WebhookResult(400, "invalid_request", "Der Webhook-Inhalt ist unlesbar.")
    return _apply_once(connection.company, raw_body, trigger, payload)


def _apply_once(
    company: Company, raw_body: bytes, trigger: str, payload: dict[str, Any]
) -> WebhookResult:
    digest = hashlib.sha256(raw_body).hexdigest()
    uid = str(payload.get("uid", ""))[:255]
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(
                company=company, digest=digest, trigger=trigger[:40], booking_uid=uid
            )
            if is_ours(payload.get("metadata") or {}):
                return ACCEPTED  # our own echo: nothing to learn
            _apply(company, trigger, uid, payload)
            transaction.on_commit(partial(dispatch, reconcile_task, company.slug))
    except IntegrityError:
        return DUPLICATE
    return ACCEPTED


def _apply(company: Company, trigger: str, uid: str, payload: dict[str, Any]) -> None:
    if trigger == "BOOKING_CANCELLED":
        ExternalBusyBlock.objects.filter(
            source="calcom", external_id=uid, staff__company=company
        ).delete()
        _resync_phase_whose_booking_was_cancelled(company, uid)
        return
    if trigger not in BOOKING_TRIGGERS:
        return
    if payload.get("rescheduleUid"):
        ExternalBusyBlock.objects.filter(
            source="calcom", external_id=payload["rescheduleUid"], staff__company=company
        ).delete()
    organizer_id = (payload.get("organizer") or {}).get("id")
    stylist = Staff.objects.filter(company=company, calcom_user_id=organizer_id).first()
    if stylist is not None and organizer_id is not None:
        upsert_busy_block(
            stylist, uid, _instant(payload["startTime"]), _instant(payload["endTime"])
        )


def _resync_phase_whose_booking_was_cancelled(company: Company, uid: str) -> None:
    """Someone cancelled one of our phase bookings in Cal.com: our DB is the truth, so the
    phase is converged again (re-created if the appointment is still booked)."""
    phases = AppointmentPhase.objects.filter(
        Q(calcom_booking_uid=uid), appointment__company=company
    )
    for appointment_id in request_sync(phases, SyncAction.RECONCILE, timezone.now()):
        transaction.on_commit(partial(dispatch, sync_appointment_task, str(appointment_id)))


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
