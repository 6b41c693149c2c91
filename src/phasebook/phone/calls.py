"""Call records from Retell's webhook events.

`record_call_event` applies `call_started`, `call_ended` and `call_analyzed` in any order
(a call that never connected sends only the last two; webhooks are "in order, but not
blocking"), each at most once per call, and accepts every other event unapplied:
1. the call row is created by whichever event (or tool request) comes first;
2. the event is claimed by inserting its `CallEvent` row: a retried delivery finds it taken;
3. the event's fields are written; a late `call_started` fills only what is still empty,
   so it never takes an ended call back to "ongoing".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from phasebook.booking.models import Appointment
from phasebook.phone.models import Call, CallAppointment, CallEvent
from phasebook.phone.schemas import RetellCall
from phasebook.salons.models import Company
from phasebook.salons.tenancy import of_company

CALL_EVENTS = ("call_started", "call_ended", "call_analyzed")


def _instant(milliseconds: int | None) -> datetime | None:
    if milliseconds is None:
        return None
    return datetime.fromtimestamp(milliseconds / 1000, tz=UTC)


def call_fields(call: RetellCall) -> dict[str, Any]:
    """The columns this call object says something about (absent ones are left out)."""
    analysis = call.call_analysis
    fields: dict[str, Any] = {
        "agent_id": call.agent_id,
        "call_type": call.call_type,
        "direction": call.direction,
        "from_number": call.from_number,
        "to_number": call.to_number,
        "status": call.call_status,
        "start": _instant(call.start_timestamp),
        "end": _instant(call.end_timestamp),
        "duration_ms": call.duration_ms,
        "disconnection_reason": call.disconnection_reason,
        "summary": analysis.call_summary if analysis else None,
        "sentiment": analysis.user_sentiment if analysis else None,
        "successful": analysis.call_successful if analysis else None,
    }
    if not call.opt_out_sensitive_data_storage:
        fields |= {"transcript": call.transcript, "recording_url": call.recording_url}
    return {name: value for name, value in fields.items() if value is not None}


def ensure_call(company: Company, call: RetellCall) -> Call:
    """The call's row, created on first sight with what this call object says."""
    row, created = Call.objects.get_or_create(
        company=company, call_id=call.call_id, defaults=call_fields(call)
    )
    if not created:
        _fill_blanks(row, _fields_for(row, call))
    return row


def _fields_for(row: Call, call: RetellCall) -> dict[str, Any]:
    """What may be written to `row`: nothing personal once retention has removed it."""
    fields = call_fields(call)
    if row.personal_data_removed_at is not None:
        fields.pop("transcript", None)
        fields.pop("recording_url", None)
    return fields


def _fill_blanks(row: Call, fields: dict[str, Any]) -> None:
    blank = {name: value for name, value in fields.items() if getattr(row, name) in ("", None)}
    for name, value in blank.items():
        # Conditional per column: a concurrent event may have filled it meanwhile.
        Call.objects.filter(pk=row.pk, **{name: getattr(row, name)}).update(**{name: value})


def record_call_event(company: Company, event: str, call: RetellCall) -> str:
    """Apply one event: "recorded", or "duplicate" when it had been applied already."""
    row = ensure_call(company, call)
    fields = _fields_for(row, call)
    try:
        with transaction.atomic():
            CallEvent.objects.create(call=row, event=event)
            if event == "call_started":
                _fill_blanks(row, fields)
            else:
                Call.objects.filter(pk=row.pk).update(**fields)
    except IntegrityError:
        return "duplicate"  # Retell retried a delivery we had already applied
    return "recorded"


def call_appointments(call: Call) -> QuerySet[Appointment]:
    """The appointments held, booked, moved or cancelled in this call, earliest first."""
    return (
        of_company(Appointment.objects, call.company)
        .filter(call_links__call=call)
        .distinct()
        .select_related("company", "service", "staff", "customer")
        .order_by("start")
    )


def link_to_call(call: Call | None, appointment: Appointment, action: str) -> None:
    """Record that `call` held, booked, moved or cancelled `appointment` (no call: nothing)."""
    if call is not None:
        # One statement; a retry's second link is the same row, skipped by the constraint.
        CallAppointment.objects.bulk_create(
            [
                CallAppointment(
                    company_id=call.company_id, call=call, appointment=appointment, action=action
                )
            ],
            ignore_conflicts=True,
        )


def held_in(call: Call | None) -> list[UUID]:
    """The appointments `call` held (booked since or not: the booking service tells)."""
    if call is None:
        return []
    links = CallAppointment.objects.filter(call=call, action=CallAppointment.Action.HELD)
    return list(links.values_list("appointment_id", flat=True))
