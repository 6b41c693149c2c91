"""The demo salon "Friseur Demo", loaded idempotently (a second load changes nothing)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from phasebook.salons.models import ApiToken, Company, Service, Staff

DEMO_SLUG = "friseur-demo"
DEMO_TOKEN_NAME = "Demo"  # noqa: S105 - the token's label, not a secret

WEEKDAYS_9_TO_18 = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
OPENING_HOURS = {**WEEKDAYS_9_TO_18, "sat": [["09:00", "14:00"]]}


def _gap(key: str, minutes: int) -> dict[str, Any]:
    return {"key": key, "name": "Einwirkzeit", "duration_minutes": minutes, "staff_required": False}


def _work(key: str, name: str, minutes: int) -> dict[str, Any]:
    return {"key": key, "name": name, "duration_minutes": minutes, "staff_required": True}


def _colour(apply_name: str, apply: int, gap: int, wash: int, cut: int, dry: int) -> list[Any]:
    return [
        _work("A", apply_name, apply),
        _gap("GAP_A", gap),
        _work("B", "Auswaschen", wash),
        _work("C", "Formschnitt", cut),
        _work("D", "Föhnen & Styling", dry),
    ]


SERVICES: dict[str, list[dict[str, Any]]] = {
    "Ansatzfärbung": _colour("Ansatzfärbung auftragen", 30, 30, 20, 40, 40),
    "Ansatz + Längenausgleich": _colour(
        "Ansatzfärbung & Längenausgleich auftragen", 30, 30, 30, 45, 40
    ),
    "Komplette Umfärbung/Blondierung": _colour(
        "Ansatzfärbung & Blondierung auftragen", 35, 45, 35, 50, 40
    ),
    "Dauerwelle": [
        _work("A", "Dauerwelle auftragen", 50),
        _gap("GAP_A", 15),
        _work("B", "Auswaschen", 5),
        _gap("GAP_B", 10),
        _work("C", "Formschnitt", 15),
        _work("D", "Föhnen & Styling", 40),
    ],
    "Herrenhaarschnitt": [_work("A", "Herrenhaarschnitt", 30)],
    "Damenhaarschnitt": [_work("A", "Damenhaarschnitt", 45)],
}

STYLISTS = ("Anna Schneider", "Ben Krüger")


@transaction.atomic
def load_demo_salon() -> Company:
    company, _ = Company.objects.update_or_create(
        slug=DEMO_SLUG,
        defaults={
            "name": "Friseur Demo",
            "time_zone": "Europe/Berlin",
            "opening_hours": OPENING_HOURS,
            "public_holidays_country": "DE",
            "min_notice_minutes": 60,
            "horizon_days": 90,
            "slot_step_minutes": 15,
        },
    )
    services = [
        Service.objects.update_or_create(
            company=company, name=name, defaults={"segments": segments, "is_active": True}
        )[0]
        for name, segments in SERVICES.items()
    ]
    for name in STYLISTS:
        stylist, _ = Staff.objects.update_or_create(
            company=company, name=name, defaults={"working_hours": OPENING_HOURS, "is_active": True}
        )
        stylist.services.add(*services)
    return company


def issue_demo_token(company: Company, raw: str | None) -> str:
    """The demo's API token: `raw` if given (PHASEBOOK_DEMO_TOKEN), else a fresh one.

    Only hashes are stored, so a random token is re-issued on every start and the
    previous demo tokens are revoked.
    """
    demo_tokens = ApiToken.objects.filter(company=company, name=DEMO_TOKEN_NAME)
    now = timezone.now()
    if not raw:
        demo_tokens.live().update(revoked_at=now)
        return ApiToken.issue(company, DEMO_TOKEN_NAME)[1]
    token, _ = ApiToken.objects.update_or_create(
        key_hash=ApiToken.hash(raw),
        defaults={"company": company, "name": DEMO_TOKEN_NAME, "hint": raw[:8], "revoked_at": None},
    )
    demo_tokens.live().exclude(pk=token.pk).update(revoked_at=now)
    return raw
