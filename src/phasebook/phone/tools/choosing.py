"""From what the caller said to the salon's rows: a service, stylists, a day and a time.
Each returns what it found or the reply that asks the caller (never a guess)."""

from __future__ import annotations

from phasebook.booking.access import choose_staff
from phasebook.phone.language.matching import Ambiguous, Matched, match_name
from phasebook.phone.language.resolve import Question, Resolved, resolve_request
from phasebook.phone.language.spoken import spoken_choices
from phasebook.phone.language.words import fold
from phasebook.phone.tools.base import ToolCall, ToolReply, refusal
from phasebook.salons.models import Service, Staff
from phasebook.salons.tenancy import of_company

# "Egal", "keine Präferenz": whoever is free.
ANY_STYLIST = frozenset(
    fold(word)
    for word in ("egal", "beliebig", "keine", "kein wunsch", "keine präferenz", "wer frei ist")
)


def choose_service(call: ToolCall, said: str) -> Service | ToolReply:
    services = {
        service.pk: service
        for service in of_company(Service.objects, call.company).filter(is_active=True)
    }
    found = match_name(said, {pk: service.name for pk, service in services.items()})
    if isinstance(found, Matched):
        return services[found.key]
    if isinstance(found, Ambiguous):
        return refusal("service_ambiguous", f"Meinen Sie {spoken_choices(found.names)}?")
    names = sorted(service.name for service in services.values())
    return refusal(
        "unknown_service",
        f"Das bieten wir leider nicht an. Wir haben: {spoken_choices(names, 'und')}.",
    )


def choose_stylists(call: ToolCall, service: Service, said: str | None) -> list[Staff] | ToolReply:
    """The stylist asked for, or every qualified one when the caller has no wish."""
    qualified = choose_staff(call.company, service, None)
    if not said or fold(said) in ANY_STYLIST:
        return qualified
    found = match_name(said, {str(member.pk): member.name for member in qualified})
    if isinstance(found, Matched):
        return [member for member in qualified if str(member.pk) == found.key]
    if isinstance(found, Ambiguous):
        return refusal("staff_ambiguous", f"Meinen Sie {spoken_choices(found.names)}?")
    names = [member.name for member in qualified]
    return refusal(
        "unknown_staff",
        f"{service.name} machen bei uns {spoken_choices(names, 'und')}. Bei wem möchten Sie?",
    )


def interpret(call: ToolCall, date_phrase: str, time_phrase: str | None) -> Resolved | ToolReply:
    company = call.company
    resolved = resolve_request(
        date_phrase, time_phrase, call.now, company.zone, company.weekly_opening_hours
    )
    if isinstance(resolved, Question):
        return refusal(resolved.code, resolved.message)
    return resolved
