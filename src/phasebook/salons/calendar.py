"""A company's booking rules as the scheduling core's Policy, with public holidays."""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays

from phasebook.salons.models import Company
from phasebook.scheduling.availability import Policy


@cache
def public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    """Computing a year's holidays costs about as much as a slot search; they never change."""
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


def closed_dates(company: Company, first: date, last: date) -> frozenset[date]:
    """The company's own closed days plus its country's public holidays in first … last."""
    closed = {date.fromisoformat(value) for value in company.closed_dates}
    if company.public_holidays_country:
        for year in range(first.year, last.year + 1):
            closed |= public_holidays(
                company.public_holidays_country, company.public_holidays_subdivision, year
            )
    return frozenset(day for day in closed if first <= day <= last)


def booking_policy(company: Company, first: date, last: date) -> Policy:
    """The rules for starts on the local days first … last."""
    return Policy(
        zone=company.zone,
        opening_hours=company.weekly_opening_hours,
        closed_dates=closed_dates(company, first, last),
        min_notice=company.min_notice,
        horizon=company.horizon,
        slot_step=company.slot_step,
    )
