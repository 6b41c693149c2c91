"""The caller's own appointments: `get_customer_appointments`, `cancel_appointment` and
`reschedule_appointment`.

The caller is the number Retell reports for the call, never one said or typed: nobody reads
or changes someone else's appointment by naming a date. A withheld number gets a recorded
callback request (the team sees it with the call) and a polite answer.
"""

from __future__ import annotations

from pydantic import Field

from phasebook.booking import services as booking
from phasebook.booking.errors import InvalidState, NotBookable, SlotTaken
from phasebook.booking.models import Appointment
from phasebook.phone.callers import caller_customer, upcoming_appointments
from phasebook.phone.calls import link_to_call
from phasebook.phone.language.spoken import (
    spoken_choices,
    spoken_clock,
    spoken_on,
    spoken_start,
)
from phasebook.phone.models import CallAppointment, CallbackRequest
from phasebook.phone.tools.base import (
    Asked,
    Tool,
    ToolArgs,
    ToolCall,
    ToolReply,
    appointment_reply,
    offer,
    phase_replies,
    refusal,
)
from phasebook.phone.tools.choosing import interpret

CANCEL_REASON = "Am Telefon abgesagt (Telefon-Assistent)."


def _said(appointment: Appointment) -> str:
    start = appointment.start.astimezone(appointment.company.zone)
    return f"{appointment.service.name} {spoken_on(start)}"


def _callers_appointments(call: ToolCall, tool: str, details: dict[str, str]) -> list[Appointment]:
    if call.caller is None:
        _record_callback(call, tool, details)
        raise Asked(
            refusal(
                "number_withheld",
                "Ihre Rufnummer ist unterdrückt, darum kann ich Ihre Termine leider nicht "
                "aufrufen. Ich habe für das Team einen Rückrufwunsch notiert. Wenn Sie mit "
                "sichtbarer Nummer anrufen, helfe ich Ihnen sofort weiter.",
            )
        )
    customer = caller_customer(call.company, call.caller)
    upcoming = upcoming_appointments(call.company, customer, call.now) if customer else []
    if not upcoming:
        raise Asked(
            refusal(
                "no_appointment",
                "Unter Ihrer Nummer finde ich keinen anstehenden Termin.",
                appointments=[],
            )
        )
    return upcoming


def _record_callback(call: ToolCall, tool: str, details: dict[str, str]) -> None:
    if call.call is None:
        CallbackRequest.objects.create(company=call.company, call=None, tool=tool, details=details)
        return
    CallbackRequest.objects.get_or_create(
        company=call.company, call=call.call, tool=tool, defaults={"details": details}
    )


class NoArgs(ToolArgs):
    pass


def get_customer_appointments(call: ToolCall, args: NoArgs) -> ToolReply:
    try:
        upcoming = _callers_appointments(call, "get_customer_appointments", {})
    except Asked as asked:
        return asked.reply
    listed = upcoming[:5]
    count = "einen Termin" if len(upcoming) == 1 else f"{len(upcoming)} Termine"
    return ToolReply(
        ok=True,
        appointments=[appointment_reply(appointment) for appointment in listed],
        message=f"Sie haben {count}: {spoken_choices([_said(a) for a in listed], 'und')}.",
    )


def _pick(upcoming: list[Appointment], appointment_id: str | None, question: str) -> Appointment:
    """The appointment meant: by id among the caller's own, or the only one there is."""
    if appointment_id:
        for appointment in upcoming:
            if str(appointment.pk) == appointment_id:
                return appointment
        raise Asked(
            refusal(
                "no_appointment",
                "Diesen Termin finde ich unter Ihrer Nummer nicht.",
                appointments=[appointment_reply(a) for a in upcoming],
            )
        )
    if len(upcoming) == 1:
        return upcoming[0]
    raise Asked(
        refusal(
            "appointment_ambiguous",
            f"{question} {spoken_choices([_said(a) for a in upcoming[:5]])}?",
            appointments=[appointment_reply(a) for a in upcoming],
        )
    )


class CancelArgs(ToolArgs):
    appointment_id: str | None = Field(
        default=None,
        max_length=64,
        description="Die appointment_id aus get_customer_appointments, falls bekannt.",
    )
    date: str | None = Field(
        default=None,
        max_length=200,
        description="Sonst der Tag des Termins, wie gesagt: „morgen“, „am Freitag“.",
    )


def cancel_appointment(call: ToolCall, args: CancelArgs) -> ToolReply:
    try:
        upcoming = _callers_appointments(
            call, "cancel_appointment", args.model_dump(exclude_none=True)
        )
        if args.date and not args.appointment_id:
            upcoming = _on_day(call, upcoming, args.date)
        appointment = _pick(upcoming, args.appointment_id, "Welchen Termin möchten Sie absagen:")
    except Asked as asked:
        return asked.reply
    cancelled = booking.cancel_appointment(
        call.company, appointment.pk, CANCEL_REASON, now=call.now, actor=call.actor
    )
    link_to_call(call.call, cancelled, CallAppointment.Action.CANCELLED)
    return ToolReply(
        ok=True,
        appointment_id=cancelled.pk,
        start=cancelled.start.astimezone(call.company.zone),
        end=cancelled.end.astimezone(call.company.zone),
        message=f"Ich habe Ihren Termin {_said(appointment)} abgesagt.",
    )


def _on_day(call: ToolCall, upcoming: list[Appointment], date_phrase: str) -> list[Appointment]:
    company = call.company
    resolved = interpret(call, date_phrase, None)
    if isinstance(resolved, ToolReply):
        raise Asked(resolved)
    on_day = [a for a in upcoming if a.start.astimezone(company.zone).date() == resolved.day]
    if not on_day:
        raise Asked(
            refusal(
                "no_appointment",
                "An diesem Tag haben Sie keinen Termin. Sie haben: "
                f"{spoken_choices([_said(a) for a in upcoming[:5]], 'und')}.",
                appointments=[appointment_reply(a) for a in upcoming],
            )
        )
    return on_day


class RescheduleArgs(ToolArgs):
    appointment_id: str | None = Field(
        default=None,
        max_length=64,
        description="Die appointment_id aus get_customer_appointments, falls bekannt.",
    )
    date: str = Field(max_length=200, description="Der neue Tag, wie gesagt.")
    time: str = Field(max_length=100, description="Die neue Uhrzeit, wie gesagt.")


def reschedule_appointment(call: ToolCall, args: RescheduleArgs) -> ToolReply:
    try:
        upcoming = _callers_appointments(
            call, "reschedule_appointment", args.model_dump(exclude_none=True)
        )
        appointment = _pick(
            upcoming, args.appointment_id, "Welchen Termin möchten Sie verschieben:"
        )
        resolved = interpret(call, args.date, args.time)
        if isinstance(resolved, ToolReply):
            return resolved
        if resolved.start is None:
            return refusal("time_missing", "Um wie viel Uhr soll der neue Termin sein?")
    except Asked as asked:
        return asked.reply
    start = resolved.start
    try:
        moved = booking.reschedule_appointment(
            call.company, appointment.pk, start, now=call.now, actor=call.actor
        )
        link_to_call(call.call, moved, CallAppointment.Action.RESCHEDULED)
    except SlotTaken as taken:
        return refusal(
            "slot_taken",
            f"{spoken_start(start)}: {taken.message} {offer(taken.alternatives, start.date())}",
            available=False,
            requested_start=start,
            alternatives=taken.alternatives,
        )
    except (NotBookable, InvalidState) as refused:
        return refusal(
            "not_bookable",
            f"{spoken_start(start)}: {refused.message}",
            available=False,
            requested_start=start,
        )
    moved.refresh_from_db()
    zone = call.company.zone
    return ToolReply(
        ok=True,
        appointment_id=moved.pk,
        requested_start=start,
        start=moved.start.astimezone(zone),
        end=moved.end.astimezone(zone),
        phases=phase_replies(moved),
        message=(
            f"Verschoben: {moved.service.name} jetzt {spoken_on(moved.start.astimezone(zone))}. "
            f"Sie sind bis etwa {spoken_clock(moved.end.astimezone(zone))} bei uns."
        ),
    )


APPOINTMENTS = Tool(
    name="get_customer_appointments",
    description="Nennt die anstehenden Termine der Anruferin (erkannt an ihrer Rufnummer).",
    args=NoArgs,
    run=get_customer_appointments,
)
CANCEL = Tool(
    name="cancel_appointment",
    description=(
        "Sagt einen Termin der Anruferin ab (nur eigene, erkannt an der Rufnummer). Erst nach "
        "ausdrücklicher Bestätigung aufrufen."
    ),
    args=CancelArgs,
    run=cancel_appointment,
    writes=True,
)
RESCHEDULE = Tool(
    name="reschedule_appointment",
    description=(
        "Verschiebt einen Termin der Anruferin auf einen neuen Tag und eine neue Uhrzeit "
        "(alle Phasen zusammen). Erst nach Bestätigung aufrufen."
    ),
    args=RescheduleArgs,
    run=reschedule_appointment,
    speak_during_execution=True,
    writes=True,
)
