"""Ausfall eintragen: the plan is shown first (nothing written), then applied through the
absence service, minus what the salon unticked."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

from django.test import Client
from django.utils import timezone

from phasebook.booking.models import Appointment
from phasebook.salons.models import Absence
from tests.support.booking import a_wednesday, book_at


def form(day, **extra: str) -> dict[str, str]:
    return {"start": f"{day}T08:00", "end": f"{day}T19:00", "reason": "krank", **extra}


def test_the_plan_is_shown_before_anything_is_written(
    portal: Client, salon: SimpleNamespace
) -> None:
    cut = book_at(salon.company, salon.cut, salon.anna, a_wednesday(10), "Paul Klaus")
    url = f"/admin/mitarbeiter/{salon.anna.pk}/ausfall/"
    day = timezone.localtime(cut.start).date()

    page = portal.post(url, form(day)).content.decode()

    assert f'data-appointment="{cut.pk}"' in page
    assert "Ben" in page  # the colleague who takes the cut at the same time
    assert not Absence.objects.exists()
    cut.refresh_from_db()
    assert cut.staff == salon.anna


def test_applying_moves_what_is_ticked_and_leaves_what_is_not(
    portal: Client, salon: SimpleNamespace
) -> None:
    moved = book_at(salon.company, salon.cut, salon.anna, a_wednesday(10), "Paul Klaus")
    kept = book_at(salon.company, salon.cut, salon.anna, a_wednesday(14), "Lea Hoffmann")
    url = f"/admin/mitarbeiter/{salon.anna.pk}/ausfall/"
    day = timezone.localtime(moved.start).date()
    plan = portal.post(url, form(day)).content.decode()
    plan_id = re.search(r'name="plan_id" value="([^"]+)"', plan).group(1)

    page = portal.post(
        url,
        form(day, plan_id=plan_id, apply="1")
        | {"entry": [str(moved.pk), str(kept.pk)], "keep": [str(moved.pk)]},
    ).content.decode()

    assert "Eingetragen" in page
    assert Absence.objects.filter(staff=salon.anna, reason="krank").count() == 1
    assert Appointment.objects.get(pk=moved.pk).staff == salon.ben
    assert Appointment.objects.get(pk=kept.pk).staff == salon.anna


def test_an_absence_that_ends_before_it_starts_is_refused_in_german(
    portal: Client, salon: SimpleNamespace
) -> None:
    day = (timezone.now() + timedelta(days=7)).date()

    page = portal.post(
        f"/admin/mitarbeiter/{salon.anna.pk}/ausfall/",
        {"start": f"{day}T18:00", "end": f"{day}T08:00"},
    ).content.decode()

    assert not Absence.objects.exists()
    assert 'role="alert"' in page


def test_another_salons_stylist_is_not_found(portal: Client, other_salon: SimpleNamespace) -> None:
    assert portal.get(f"/admin/mitarbeiter/{other_salon.anna.pk}/ausfall/").status_code == 404
