"""Plain builders for test data. Defaults make a small working salon; override what a test
is about, so that each test shows only what matters to it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from phasebook.booking.events import Actor
from phasebook.salons.models import ApiToken, Company, Customer, Service, Staff

BERLIN = ZoneInfo("Europe/Berlin")
# Who changes appointments in tests that are not about who did it.
ACTOR = Actor.system("tests")
WEEK_9_TO_18 = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}

COLOUR = [
    {"key": "A", "name": "Ansatzfärbung auftragen", "duration_minutes": 30, "staff_required": True},
    {"key": "GAP_A", "name": "Einwirkzeit", "duration_minutes": 30, "staff_required": False},
    {"key": "B", "name": "Auswaschen", "duration_minutes": 20, "staff_required": True},
    {"key": "C", "name": "Formschnitt", "duration_minutes": 40, "staff_required": True},
    {"key": "D", "name": "Föhnen & Styling", "duration_minutes": 40, "staff_required": True},
]
CUT = [{"key": "A", "name": "Herrenhaarschnitt", "duration_minutes": 30, "staff_required": True}]
# A salon's services by the name the test reads them under: service name and segments.
Services = Mapping[str, tuple[str, list[dict[str, Any]]]]
COLOUR_AND_CUT: Services = {"colour": ("Ansatzfärbung", COLOUR), "cut": ("Herrenhaarschnitt", CUT)}


def make_salon(slug: str = "salon-a", services: Services = COLOUR_AND_CUT) -> SimpleNamespace:
    """A salon with `services` (salon.colour and salon.cut by default; all of them in
    salon.services), two stylists who do every one (salon.anna, salon.ben) and an API token."""
    company = make_company(slug)
    made = {
        key: make_service(company, name, segments) for key, (name, segments) in services.items()
    }
    return SimpleNamespace(
        company=company,
        **made,
        services=list(made.values()),
        anna=make_staff(company, "Anna"),
        ben=make_staff(company, "Ben"),
        token=make_token(company),
    )


def make_company(slug: str = "salon-a", **fields: Any) -> Company:
    values: dict[str, Any] = {
        "name": slug.replace("-", " ").title(),
        "opening_hours": WEEK_9_TO_18,
        "public_holidays_country": "",
        "min_notice_minutes": 60,
        "horizon_days": 90,
        "slot_step_minutes": 15,
    }
    return Company.objects.create(slug=slug, **(values | fields))


def set_limits(company: Company, **limits: int) -> None:
    """Set the salon's abuse limits (booking/limits.py), e.g. live_holds_per_client=1."""
    for name, value in limits.items():
        setattr(company, name, value)
    company.save()


def make_service(
    company: Company, name: str = "Ansatzfärbung", segments: list[dict[str, Any]] | None = None
) -> Service:
    return Service.objects.create(company=company, name=name, segments=segments or COLOUR)


def make_staff(
    company: Company, name: str = "Anna", services: list[Service] | None = None, **fields: Any
) -> Staff:
    stylist = Staff.objects.create(
        company=company,
        name=name,
        working_hours=fields.pop("working_hours", WEEK_9_TO_18),
        **fields,
    )
    stylist.services.set(services if services is not None else company.services.all())
    return stylist


def make_customer(company: Company, name: str = "Paul Klaus", phone: str = "") -> Customer:
    return Customer.objects.create(company=company, name=name, phone=phone)


def make_token(company: Company, raw: str | None = None) -> str:
    return ApiToken.issue(company, "test", raw)[1]


def next_weekday(
    now: datetime, weekday: int = 2, hour: int = 10, minute: int = 0, weeks: int = 1
) -> datetime:
    """A Berlin wall-clock time on `weekday` (0 = Monday) at least `weeks` weeks after now."""
    local = now.astimezone(BERLIN)
    day = local.date() + timedelta(days=7 * weeks - local.weekday() + weekday)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)
