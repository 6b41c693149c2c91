"""The inbound call webhook: what the agent knows before it says hello (reference §3.5).

Retell takes only strings as dynamic variables. The date and weekday come from here, in the
salon's zone, because an agent left to itself has no idea what "heute" is.
"""

from __future__ import annotations

from datetime import datetime

from phasebook.phone.callers import caller_customer, caller_number, upcoming_appointments
from phasebook.phone.language.spoken import spoken_clock, spoken_day, spoken_hours, spoken_on
from phasebook.phone.models import RetellConnection
from phasebook.phone.schemas import RetellInboundCall
from phasebook.scheduling.calendar import WEEKDAY_NAMES_DE


def dynamic_variables(
    connection: RetellConnection, inbound: RetellInboundCall, now: datetime
) -> dict[str, str]:
    company = connection.company
    local = now.astimezone(company.zone)
    variables = {
        "salon_name": company.name,
        "today_date": local.date().isoformat(),
        "today_weekday": WEEKDAY_NAMES_DE[local.weekday()],
        "today_spoken": f"{spoken_day(local.date())} {local.year}",
        "current_time": spoken_clock(local),
        "opening_hours": spoken_hours(company.weekly_opening_hours),
        "known_customer": "nein",
        "customer_name": "",
        "next_appointment": "",
    }
    customer = caller_customer(company, caller_number(company, inbound.from_number))
    if customer is None:
        return variables
    upcoming = upcoming_appointments(company, customer, now)
    next_appointment = (
        f"{upcoming[0].service.name} {spoken_on(upcoming[0].start.astimezone(company.zone))}"
        if upcoming
        else ""
    )
    return variables | {
        "known_customer": "ja",
        "customer_name": customer.name,
        "next_appointment": next_appointment,
    }


def inbound_response(
    connection: RetellConnection, inbound: RetellInboundCall, now: datetime
) -> dict[str, object]:
    """`{"call_inbound": {"dynamic_variables": {...}}}`, with the salon's agent if one is set."""
    answer: dict[str, object] = {"dynamic_variables": dynamic_variables(connection, inbound, now)}
    if connection.agent_id:
        answer["override_agent_id"] = connection.agent_id
    return {"call_inbound": answer}
