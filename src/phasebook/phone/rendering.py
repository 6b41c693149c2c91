"""Calls as the API and the portal show them: typed, times in the salon's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel

from phasebook.booking.rendering import AppointmentOut, render_appointment
from phasebook.phone.calls import call_appointments
from phasebook.phone.models import Call


class CallSummaryOut(BaseModel):
    call_id: str
    agent_id: str
    call_type: str
    direction: str
    from_number: str
    to_number: str
    status: str
    start: AwareDatetime | None
    end: AwareDatetime | None
    duration_ms: int | None
    disconnection_reason: str
    summary: str
    sentiment: str
    successful: bool | None
    recorded_at: AwareDatetime


class CallOut(CallSummaryOut):
    """A call with what only its own page shows: the transcript and recording (until the
    retention period removes them) and the appointments booked, moved or cancelled in it."""

    transcript: str
    recording_url: str
    personal_data_removed_at: AwareDatetime | None
    appointments: list[AppointmentOut]


def _local(instant: datetime | None, zone: ZoneInfo) -> datetime | None:
    return instant.astimezone(zone) if instant is not None else None


def _summary_fields(call: Call) -> dict[str, object]:
    zone = call.company.zone
    return {
        "call_id": call.call_id,
        "agent_id": call.agent_id,
        "call_type": call.call_type,
        "direction": call.direction,
        "from_number": call.from_number,
        "to_number": call.to_number,
        "status": call.status,
        "start": _local(call.start, zone),
        "end": _local(call.end, zone),
        "duration_ms": call.duration_ms,
        "disconnection_reason": call.disconnection_reason,
        "summary": call.summary,
        "sentiment": call.sentiment,
        "successful": call.successful,
        "recorded_at": call.created_at.astimezone(zone),
    }


def render_call_summary(call: Call) -> CallSummaryOut:
    return CallSummaryOut(**_summary_fields(call))  # type: ignore[arg-type]


def render_call(call: Call) -> CallOut:
    return CallOut(
        **_summary_fields(call),  # type: ignore[arg-type]
        transcript=call.transcript,
        recording_url=call.recording_url,
        personal_data_removed_at=_local(call.personal_data_removed_at, call.company.zone),
        appointments=[render_appointment(appointment) for appointment in call_appointments(call)],
    )
