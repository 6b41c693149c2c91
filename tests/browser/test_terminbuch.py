"""A salon user works the Terminbuch in a real browser; every result is checked in the
database."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from phasebook.booking.models import Appointment, AppointmentStatus
from tests.browser.screenshots import look
from tests.support.booking import a_wednesday, book_at


def box(tab: Any, selector: str) -> dict[str, float]:
    return tab.locator(selector).bounding_box()


def test_the_day_view_shows_a_cut_inside_the_colours_processing_time(
    page: Any, salon: SimpleNamespace
) -> None:
    colour_at = a_wednesday(10)
    book_at(salon.company, salon.colour, salon.anna, colour_at, "Maria Berger")
    book_at(salon.company, salon.cut, salon.anna, a_wednesday(10, 30), "Paul Klaus")

    page.goto(f"{page.base_url}/admin/terminbuch/?date={colour_at.date()}")

    anna = f'section[data-staff="{salon.anna.pk}"]'
    colour = box(page, f'{anna} .pb-work[data-start="10:00"]')
    processing = box(page, f'{anna} .pb-processing[data-start="10:30"]')
    cut = box(page, f'{anna} .pb-work[data-start="10:30"]')
    assert page.locator(f'{anna} .pb-work[data-start="10:00"]').inner_text().count("Maria Berger")
    assert "Paul Klaus" in page.locator(f'{anna} .pb-work[data-start="10:30"]').inner_text()
    assert colour["y"] + colour["height"] <= processing["y"] + 1
    assert processing["y"] - 1 <= cut["y"]
    assert cut["y"] + cut["height"] <= processing["y"] + processing["height"] + 1
    assert cut["x"] > processing["x"]  # indented: the processing block stays readable
    look(page, "terminbuch")


def test_a_salon_user_books_from_a_free_time(page: Any, salon: SimpleNamespace) -> None:
    start = a_wednesday(15)
    page.goto(f"{page.base_url}/admin/terminbuch/?date={start.date()}&staff={salon.ben.pk}")

    page.click(f'section[data-staff="{salon.ben.pk}"] .pb-cell[data-start="15:00"]')
    look(page, "neuer-termin")
    page.check(f'input[name=service][value="{salon.cut.pk}"]')
    page.fill("input[name=name]", "Clara Neu")
    page.fill("input[name=phone]", "0171 2345678")
    page.click('button:has-text("Termin buchen")')

    page.wait_for_url("**/admin/booking/appointment/*/change/")
    appointment = Appointment.objects.get(customer__name="Clara Neu")
    assert (appointment.staff, appointment.start, appointment.status) == (
        salon.ben,
        start,
        AppointmentStatus.BOOKED,
    )
    assert "Gebucht: Herrenhaarschnitt" in page.content()


def test_a_colour_that_does_not_fit_says_why_in_german(page: Any, salon: SimpleNamespace) -> None:
    start = a_wednesday(16)
    page.goto(f"{page.base_url}/admin/terminbuch/?date={start.date()}")

    page.click(f'section[data-staff="{salon.anna.pk}"] .pb-cell[data-start="16:00"]')

    colour = page.locator(f'input[name=service][value="{salon.colour.pk}"]')
    assert colour.is_disabled()
    assert "liegt nicht vollständig in den Öffnungszeiten" in page.content()


def test_on_a_phone_the_day_shows_one_stylist_at_a_time(page: Any, salon: SimpleNamespace) -> None:
    start = a_wednesday(10)
    book_at(salon.company, salon.cut, salon.ben, start, "Ben Kunde")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/admin/terminbuch/?date={start.date()}")

    assert page.locator(f'section[data-staff="{salon.anna.pk}"]').is_visible()
    assert not page.locator(f'section[data-staff="{salon.ben.pk}"]').is_visible()
    page.click(f'.pb-tab:has-text("{salon.ben.name}")')
    assert page.locator(f'section[data-staff="{salon.ben.pk}"]').is_visible()
    assert not page.locator(f'section[data-staff="{salon.anna.pk}"]').is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_header_names_the_salon_on_a_phone_where_the_sidebar_is_hidden(
    page: Any, salon: SimpleNamespace
) -> None:
    page.goto(f"{page.base_url}/admin/terminbuch/")
    assert not page.locator(".pb-header-salon").is_visible()  # the sidebar names it

    page.set_viewport_size({"width": 390, "height": 844})

    assert page.locator(".pb-header-salon").inner_text() == salon.company.name
    assert page.locator(".pb-header-salon").is_visible()
