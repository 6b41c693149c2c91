"""The Termin-Detailseite and its actions in a real browser; results checked in the database."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from phasebook.booking.models import Appointment, AppointmentStatus
from tests.browser.screenshots import look
from tests.support.booking import a_wednesday, book_at


def open_detail(page: Any, appointment: Appointment) -> None:
    page.goto(f"{page.base_url}/admin/booking/appointment/{appointment.pk}/change/")


def test_the_detail_page_shows_segments_and_timeline(page: Any, salon: SimpleNamespace) -> None:
    colour = book_at(salon.company, salon.colour, salon.anna, a_wednesday(10), "Maria Berger")
    colour.phases.filter(segment_key="C").update(
        calcom_sync_status="failed",
        sync_error_message="Cal.com antwortet 404: Event-Type 4711 gibt es nicht mehr. "
        "Bitte phasebook calcom_provision ausführen.",
    )
    open_detail(page, colour)

    assert page.locator('tr[data-segment="GAP_A"]').inner_text().count("Nein (Einwirkzeit)")
    assert page.locator(".pb-error").is_visible()
    assert "Zeitleiste (160 Minuten gesamt)" in page.content()
    assert page.locator('button[name="_save"]').count() == 0
    look(page, "termin-detail")
    page.goto(f"{page.base_url}/admin/booking/appointment/")
    look(page, "terminuebersicht")


def test_a_salon_user_reschedules_through_the_offered_alternatives(
    page: Any, salon: SimpleNamespace
) -> None:
    colour = book_at(salon.company, salon.colour, salon.anna, a_wednesday(10), "Maria Berger")
    next_day = timezone.localtime(colour.start, salon.company.zone).date() + timedelta(days=1)
    open_detail(page, colour)

    page.click("text=Verschieben")
    page.fill("input[name=date]", next_day.isoformat())
    page.click("text=Freie Zeiten zeigen")
    look(page, "verschieben")
    page.check('input[name=choice][data-start="13:00"]')
    page.click("text=Verschieben bestätigen")

    page.wait_for_url(f"**/admin/booking/appointment/{colour.pk}/change/")
    colour.refresh_from_db()
    assert timezone.localtime(colour.start, salon.company.zone).strftime("%Y-%m-%d %H:%M") == (
        f"{next_day} 13:00"
    )
    assert "Verschoben von" in page.content()


def test_a_salon_user_cancels_with_a_reason(page: Any, salon: SimpleNamespace) -> None:
    cut = book_at(salon.company, salon.cut, salon.ben, a_wednesday(11), "Paul Klaus")
    open_detail(page, cut)

    page.click("text=Stornieren")
    look(page, "stornieren")
    page.fill("textarea[name=reason]", "Kunde hat abgesagt")
    page.click("text=Ja, stornieren")

    page.wait_for_url(f"**/admin/booking/appointment/{cut.pk}/change/")
    cut.refresh_from_db()
    assert (cut.status, cut.cancel_reason) == (AppointmentStatus.CANCELLED, "Kunde hat abgesagt")
    page.goto(f"{page.base_url}/admin/termine/{cut.pk}/stornieren/")
    assert "bereits storniert" in page.content()
    assert page.locator("textarea[name=reason]").count() == 0
