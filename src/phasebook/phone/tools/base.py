"""What every tool shares: its definition, the call it runs in, and the shape of its reply.

Every reply is HTTP 200 JSON: `ok`, `message` (short German, spoken to the caller as it is:
the phone agent speaks German by design, so these texts are not in the English catalog),
`error` (a code, when not ok), and the structured fields of the fixed interface. Times are
ISO 8601 with the salon's offset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, field_validator

from phasebook.booking.events import Actor
from phasebook.booking.models import Appointment
from phasebook.booking.rendering import SlotOut
from phasebook.phone.language.spoken import spoken_times
from phasebook.phone.models import Call
from phasebook.phone.schemas import storable
from phasebook.salons.models import Company


class ToolArgs(BaseModel):
    """Arguments as the agent's LLM fills them: extra ones are ignored, not refused."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        # What the caller said may be stored (a callback request's details, a name).
        return storable(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class ToolCall:
    """The call a tool runs in. The caller's number comes from Retell's call object."""

    company: Company
    call: Call | None  # None for "args only" requests, which carry no call object
    caller: str | None  # E.164; None when withheld or unknown
    now: datetime

    @property
    def actor(self) -> Actor:
        """Who the appointments' history names: this call, by Retell's call id."""
        return Actor.phone(self.call.call_id if self.call else "")


class ServiceReply(BaseModel):
    name: str
    total_minutes: int
    has_processing_time: bool


class PhaseReply(BaseModel):
    segment_key: str
    segment_name: str
    start: AwareDatetime
    end: AwareDatetime
    staff_required: bool


class AppointmentReply(BaseModel):
    appointment_id: UUID
    service: str
    staff_name: str
    start: AwareDatetime
    end: AwareDatetime
    status: str


class ToolReply(BaseModel):
    ok: bool
    message: str
    error: str | None = None
    available: bool | None = None
    requested_start: AwareDatetime | None = None
    requested_date: date | None = None
    hold_id: UUID | None = None
    slot: SlotOut | None = None
    alternatives: list[SlotOut] | None = None
    appointment_id: UUID | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    phases: list[PhaseReply] | None = None
    appointments: list[AppointmentReply] | None = None
    services: list[ServiceReply] | None = None

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def refusal(code: str, message: str, **fields: Any) -> ToolReply:
    return ToolReply(ok=False, error=code, message=message, **fields)


class Asked(Exception):
    """The request needs something from the caller first: `reply` asks for it."""

    def __init__(self, reply: ToolReply) -> None:
        super().__init__(reply.message)
        self.reply = reply


def offer(alternatives: list[SlotOut], day: date) -> str:
    """The alternatives as a sentence ("Frei wäre um 11 Uhr oder am Mittwoch, …"), their
    times said relative to `day`, the requested one."""
    if not alternatives:
        return "In den nächsten Tagen ist dafür leider nichts frei."
    return f"Frei wäre {spoken_times([slot.start for slot in alternatives], day)}."


def appointment_reply(appointment: Appointment) -> AppointmentReply:
    zone = appointment.company.zone
    return AppointmentReply(
        appointment_id=appointment.pk,
        service=appointment.service.name,
        staff_name=appointment.staff.name,
        start=appointment.start.astimezone(zone),
        end=appointment.end.astimezone(zone),
        status=appointment.status,
    )


def phase_replies(appointment: Appointment) -> list[PhaseReply]:
    zone = appointment.company.zone
    return [
        PhaseReply(
            segment_key=phase.segment_key,
            segment_name=phase.segment_name,
            start=phase.start_time.astimezone(zone),
            end=phase.end_time.astimezone(zone),
            staff_required=phase.staff_required,
        )
        for phase in appointment.phases.order_by("sequence_order")
    ]


@dataclass(frozen=True)
class Tool:
    """A custom function of the agent: Retell calls it by `name` (see manifest.py)."""

    name: str
    description: str  # German, for the agent's LLM
    args: type[ToolArgs]
    run: Callable[[ToolCall, Any], ToolReply]
    # Retell's filler speech ("Einen Moment…") for tools that may take over a second.
    speak_during_execution: bool = False
    writes: bool = False  # a retried request must give the first answer (see dispatch.py)
    # For a tool that writes: whether its first answer, replayed, no longer holds (a hold
    # it offered is gone), so that the request runs anew.
    outlived: Callable[[ToolCall, ToolReply], bool] | None = None
