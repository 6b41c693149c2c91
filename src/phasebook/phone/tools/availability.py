"""`check_availability`: is the start the caller asked for free? Then it is held for them.

1. The service and stylist are matched by name, the day and time resolved (choosing.py).
2. With a time: the booking service holds exactly that start (the hold keeps it while the
   caller decides), releasing the times this call held before; a refusal keeps them and
   answers with the explaining sentence and up to three starts nearest to the request.
   Another time is offered as an alternative, never as the request.
3. With a day only (or a part of it): up to three free starts spread over that day, or why
   there are none and the nearest starts on the next open days. Nothing is held.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from pydantic import Field

from phasebook.booking import services as booking
from phasebook.booking.availability import explain_start, find_slots, nearest_slots
from phasebook.booking.customers import CustomerDetails
from phasebook.booking.errors import NotBookable, SlotTaken
from phasebook.booking.models import Appointment, AppointmentSource, AppointmentStatus
from phasebook.booking.rendering import SlotOut, render_slot
from phasebook.phone.callers import availability_caller
from phasebook.phone.calls import held_in, link_to_call
from phasebook.phone.language.clock import DayPart
from phasebook.phone.language.resolve import Resolved
from phasebook.phone.language.spoken import spoken_day, spoken_start, spoken_times
from phasebook.phone.models import CallAppointment
from phasebook.phone.tools.base import Tool, ToolArgs, ToolCall, ToolReply, offer
from phasebook.phone.tools.choosing import choose_service, choose_stylists, interpret
from phasebook.salons.models import Service, Staff
from phasebook.salons.tenancy import of_company
from phasebook.scheduling.availability import Rule, Slot
from phasebook.scheduling.calendar import local_instant
from phasebook.scheduling.intervals import Interval

# The name a hold carries until the caller books and says theirs (book_appointment).
CALLER_PLACEHOLDER = "Anrufer:in"


class AvailabilityArgs(ToolArgs):
    service: str = Field(
        max_length=200,
        description="Die Leistung, wie die Anruferin sie nennt, z. B. „Ansatzfärbung“.",
    )
    date: str = Field(
        max_length=200,
        description="Der Tag, wie gesagt: „morgen“, „am Freitag“, „nächste Woche Mittwoch“.",
    )
    time: str | None = Field(
        default=None,
        max_length=100,
        description="Die Uhrzeit, wie gesagt: „um 10“, „halb drei“, „15:30“; sonst leer.",
    )
    staff: str | None = Field(
        default=None, max_length=200, description="Wunsch-Stylistin oder -Stylist, falls genannt."
    )


def check_availability(call: ToolCall, args: AvailabilityArgs) -> ToolReply:
    service = choose_service(call, args.service)
    if isinstance(service, ToolReply):
        return service
    stylists = choose_stylists(call, service, args.staff)
    if isinstance(stylists, ToolReply):
        return stylists
    resolved = interpret(call, args.date, args.time)
    if isinstance(resolved, ToolReply):
        return resolved
    if resolved.start is None:
        return _free_on_day(call, service, stylists, resolved)
    return _hold(call, service, stylists, resolved.start)


def _hold(call: ToolCall, service: Service, stylists: list[Staff], start: datetime) -> ToolReply:
    # A known caller is found by the number and keeps their name; the placeholder names
    # only a new one, until book_appointment hears the real name.
    details = CustomerDetails(CALLER_PLACEHOLDER, call.caller or "")
    request = booking.BookingRequest(
        service_id=service.pk,
        start=start,
        customer=details,
        staff_id=str(stylists[0].pk) if len(stylists) == 1 else None,
        source=AppointmentSource.PHONE,
    )
    try:
        # The caller moves on from the times offered before: the new hold replaces the
        # call's earlier ones, which stay if this start cannot be had.
        hold = booking.hold_appointment(
            call.company, request, now=call.now, actor=call.actor, replacing=held_in(call.call)
        )
        link_to_call(call.call, hold, CallAppointment.Action.HELD)
    except SlotTaken as taken:
        return _unavailable(start, str(taken.message), taken.alternatives)
    except NotBookable as refused:
        alternatives = _nearest(call, service, stylists, start)
        return _unavailable(start, str(refused.message), alternatives)
    zone = call.company.zone
    slot = SlotOut(
        start=hold.start.astimezone(zone),
        end=hold.end.astimezone(zone),
        staff_id=hold.staff_id,
        staff_name=hold.staff.name,
    )
    minutes = settings.PHASEBOOK_HOLD_TTL_SECONDS // 60
    return ToolReply(
        ok=True,
        available=True,
        requested_start=start,
        slot=slot,
        hold_id=hold.pk,
        message=(
            f"{spoken_start(start)} ist frei, bei {hold.staff.name}. Ich halte den Termin "
            f"{minutes} Minuten für Sie fest. Soll ich ihn verbindlich buchen?"
        ),
    )


def _nearest(
    call: ToolCall, service: Service, stylists: list[Staff], start: datetime
) -> list[SlotOut]:
    caller = availability_caller(call.company, call.caller)
    slots = nearest_slots(call.company, service, start, stylists, call.now, caller)
    return _rendered(call, slots, stylists)


def _rendered(call: ToolCall, slots: list[Slot], stylists: list[Staff]) -> list[SlotOut]:
    names = {str(member.pk): member.name for member in stylists}
    return [render_slot(slot, call.company.zone, names) for slot in slots]


def _unavailable(start: datetime, reason: str, alternatives: list[SlotOut]) -> ToolReply:
    return ToolReply(
        ok=True,
        available=False,
        requested_start=start,
        alternatives=alternatives,
        message=f"{spoken_start(start)}: {reason} {offer(alternatives, start.date())}",
    )


def _day_window(call: ToolCall, day: date, part: DayPart | None) -> Interval:
    zone = call.company.zone
    first, last = (part.start, part.end) if part else (time(0), None)
    start = local_instant(day, first, zone) or datetime.combine(day, first, tzinfo=zone)
    if last is None:
        following = day + timedelta(days=1)
        end = datetime.combine(following, time(0), tzinfo=zone)
    else:
        end = local_instant(day, last, zone) or datetime.combine(day, last, tzinfo=zone)
    return Interval(max(start, call.now), end)


def _free_on_day(
    call: ToolCall, service: Service, stylists: list[Staff], resolved: Resolved
) -> ToolReply:
    day, part = resolved.day, resolved.part
    window = _day_window(call, day, part)
    caller = availability_caller(call.company, call.caller)
    slots = (
        find_slots(call.company, service, window, stylists, call.now, caller)
        if window.end > window.start
        else []
    )
    when = f"am {spoken_day(day, 'dative')}" + (f" {part.name}" if part else "")
    if slots:
        options = _rendered(call, _spread(slots), stylists)
        return ToolReply(
            ok=True,
            available=True,
            requested_date=day,
            alternatives=options,
            message=(
                f"{when[0].upper()}{when[1:]} ist noch frei: "
                f"{spoken_times([slot.start for slot in options], day)}. Welche Uhrzeit passt?"
            ),
        )
    reason = _why_nothing(call, service, stylists, day)
    later = _nearest(call, service, stylists, window.end)
    return ToolReply(
        ok=True,
        available=False,
        requested_date=day,
        alternatives=later,
        message=f"{when[0].upper()}{when[1:]} {reason} {offer(later, day)}",
    )


def _spread(slots: list[Slot], count: int = 3) -> list[Slot]:
    """Up to `count` starts spread over the day: the first, the last and one between."""
    if len(slots) <= count:
        return slots
    picks = sorted({round(index * (len(slots) - 1) / (count - 1)) for index in range(count)})
    return [slots[index] for index in picks]


def _why_nothing(call: ToolCall, service: Service, stylists: list[Staff], day: date) -> str:
    """ "ist der Salon geschlossen" when the salon's own rules say so, else "ist leider nichts
    mehr frei" (the salon's reasons are asked of `explain` at noon that day)."""
    noon = local_instant(day, time(12), call.company.zone)
    if noon is not None:
        explained = explain_start(call.company, service, noon, stylists, call.now)
        salon_rules = {conflict.rule for conflict in explained.verdict.salon_conflicts}
        if Rule.SALON_CLOSED in salon_rules:
            return "ist der Salon geschlossen."
    return "ist leider nichts mehr frei."


def _hold_gone(call: ToolCall, reply: ToolReply) -> bool:
    """The replayed reply offers a hold that is no longer live: released by a later check
    of the call, run out or booked."""
    if reply.hold_id is None:
        return False
    live = of_company(Appointment.objects, call.company).filter(
        pk=reply.hold_id,
        status=AppointmentStatus.HELD,
        hold_expires_at__gt=call.now,
    )
    return not live.exists()


TOOL = Tool(
    name="check_availability",
    description=(
        "Prüft, ob ein Termin frei ist, und reserviert ihn für einige Minuten. Tag und Uhrzeit "
        "so übergeben, wie die Anruferin sie sagt; der Server rechnet sie aus. Die Antwort "
        "nennt den verstandenen Termin, bei „available: false“ den Grund und Alternativen."
    ),
    args=AvailabilityArgs,
    run=check_availability,
    speak_during_execution=True,
    writes=True,
    outlived=_hold_gone,
)
