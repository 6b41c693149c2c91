"""A company's booking rules as the scheduling core's Policy, with public holidays."""

from __future__ import annotations

from datetime import date

import holidays

from phasebook.salons.models import Company
from phasebook.scheduling.availability import Policy


def closed_dates(company: Company, first: date, last: date) -> frozenset[date]:
    """The company's own closed days plus its country's public holidays in first … last."""
    own = {date.fromisoformat(value) for value in company.closed_dates}
    if company.public_holidays_country:
        public = holidays.country_holidays(
            company.public_holidays_country,
            subdiv=company.public_holidays_subdivision or None,
            years=range(first.year, last.year + 1),
        )
        own.update(public.keys())
    return frozenset(day for day in own if first <= day <= last)


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
