"""`phasebook absence --company SLUG --staff NAME --from … --to … [--apply]`: what an absence
breaks, the plan to repair it and the customers to call, in the salon's time zone; with
`--apply` the absence is recorded and the plan applied."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phasebook.absences.rendering import (
    AbsenceOut,
    CustomerToCallOut,
    PlanEntryOut,
    render_applied,
    render_plan,
)
from phasebook.absences.services import apply_absence, plan_absence
from phasebook.booking.errors import BookingError
from phasebook.booking.events import Actor
from phasebook.booking.texts import translated
from phasebook.salons.models import Company, Staff
from phasebook.scheduling.calendar import WEEKDAY_NAMES_DE

# Moves made by `phasebook absence --apply`, as the appointments' history names them.
COMMAND = Actor.system("absence_command")
ACTIONS = {
    "same_time": "gleiche Zeit",
    "new_time": "neue Zeit",
    "call": "anrufen",
    "release_hold": "Reservierung freigeben",
    "leave": "selbst entscheiden",
}
RESULTS = {
    "moved": "verschoben",
    "released": "freigegeben",
    "skipped": "ausgelassen",
    "changed": "inzwischen geändert, nicht angefasst",
    "refused": "abgelehnt",
    "left": "bleibt, wie er ist",
}
CHANGES = {"no_time": "noch offen", "new_time": "neue Zeit", "new_stylist": "neue:r Friseur:in"}


class Command(BaseCommand):
    help = (
        "Trägt einen Ausfall ein: zeigt die betroffenen Termine, den Plan (Kolleg:in zur "
        "selben Zeit, sonst die nächste freie Zeit) und wen man anrufen muss; --apply "
        "wendet ihn an."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, help="Salon-Slug")
        parser.add_argument("--staff", required=True, help="Name (oder eindeutiger Teil)")
        parser.add_argument(
            "--from", dest="start", required=True, help="2026-03-04 oder 2026-03-04T09:00"
        )
        parser.add_argument(
            "--to", dest="end", required=True, help="2026-03-04 (bis Tagesende) oder …T13:00"
        )
        parser.add_argument("--reason", default="", help="z. B. krank")
        parser.add_argument("--apply", action="store_true", help="Ausfall und Plan anwenden")

    def handle(self, *args: Any, **options: Any) -> None:
        company = _company(options["company"])
        staff = _staff(company, options["staff"])
        start = parse_instant(options["start"], company.zone, end_of_day=False)
        end = parse_instant(options["end"], company.zone, end_of_day=True)
        try:
            if options["apply"]:
                shown = render_applied(
                    apply_absence(company, staff.pk, start, end, options["reason"], actor=COMMAND)
                )
            else:
                shown = render_plan(plan_absence(company, staff.pk, start, end, options["reason"]))
        except BookingError as error:
            raise CommandError(translated(error.message)) from error
        self.stdout.write(describe(shown, company.zone))


def describe(shown: AbsenceOut, zone: ZoneInfo) -> str:
    """The impact, the plan (or what applying did) and the calls, as lines for a person."""
    lines = [
        f"Ausfall: {shown.staff_name}, {_when(shown.start, zone)} – {_when(shown.end, zone)}"
        + (f" ({shown.reason})" if shown.reason else ""),
        f"Betroffene Termine: {len(shown.entries)}",
    ]
    lines += [
        line
        for entry in sorted(shown.entries, key=lambda e: e.start)
        for line in _entry(entry, zone)
    ]
    if shown.customers_to_call:
        lines += ["", "Anzurufen:"]
        # Who still needs a time first, then who got another one, then a new stylist only.
        order = list(CHANGES)
        calls = sorted(shown.customers_to_call, key=lambda call: order.index(call.change.value))
        lines += [_call(call, zone) for call in calls]
    if shown.applied:
        lines += ["", "Der Ausfall ist eingetragen."]
    else:
        lines += ["", "Nichts wurde geändert; mit --apply wird der Plan angewendet."]
    return "\n".join(lines)


def _entry(entry: PlanEntryOut, zone: ZoneInfo) -> list[str]:
    hit = ", ".join(phase.segment_key for phase in entry.collisions)
    lines = [
        f"  {_when(entry.start, zone)}–{_clock(entry.end, zone)}  {entry.service_name}, "
        f"{entry.customer_name} ({entry.staff_name})" + (f"  [im Ausfall: {hit}]" if hit else ""),
    ]
    target = ""
    if entry.new_start and entry.new_staff_name:
        target = f": {_when(entry.new_start, zone)} bei {entry.new_staff_name}"
    lines.append(f"      → {ACTIONS[entry.action.value]}{target}")
    lines += [f"        {text}" for text in entry.explanation]
    if entry.outcome:
        message = f": {entry.outcome.message}" if entry.outcome.message else ""
        lines.append(f"      = {RESULTS[entry.outcome.result.value]}{message}")
    return lines


def _call(call: CustomerToCallOut, zone: ZoneInfo) -> str:
    new = f"{_when(call.new_start, zone)} bei {call.new_staff_name}" if call.new_start else "—"
    return (
        f"  {call.name}, {call.phone or 'ohne Telefonnummer'}: {call.service_name} "
        f"{_when(call.old_start, zone)} bei {call.old_staff_name} → {new} "
        f"({CHANGES[call.change.value]})"
    )


def parse_instant(text: str, zone: ZoneInfo, *, end_of_day: bool) -> datetime:
    """A date (its start, or with `end_of_day` the next midnight) or a date and time;
    local to the salon unless it names its offset."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text) + timedelta(days=1 if end_of_day else 0)
            return datetime.combine(day, time(), tzinfo=zone)
        instant = datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            f"„{text}“ ist kein Datum (2026-03-04) und keine Zeit (2026-03-04T09:00)."
        ) from error
    return instant if instant.tzinfo else instant.replace(tzinfo=zone)


def _company(slug: str) -> Company:
    try:
        return Company.objects.get(slug=slug)
    except Company.DoesNotExist as error:
        raise CommandError(f"Keinen Salon „{slug}“ gefunden.") from error


def _staff(company: Company, name: str) -> Staff:
    """The stylist of that name, or the only one whose name contains it."""
    members = Staff.objects.filter(company=company)
    exact = list(members.filter(name__iexact=name))
    found = exact or list(members.filter(name__icontains=name))
    if len(found) == 1:
        return found[0]
    names = ", ".join(member.name for member in (found or members))
    if not found:
        raise CommandError(f"Niemanden „{name}“ in {company.name} gefunden (es gibt: {names}).")
    raise CommandError(f"„{name}“ ist nicht eindeutig: {names}.")


def _when(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return f"{WEEKDAY_NAMES_DE[local.weekday()][:2]} {local:%d.%m.%Y %H:%M}"


def _clock(instant: datetime, zone: ZoneInfo) -> str:
    return f"{instant.astimezone(zone):%H:%M}"
