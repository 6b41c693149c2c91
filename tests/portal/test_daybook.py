"""The Terminbuch: one column per stylist, processing time with whoever sits in it, free
times that offer "Neuer Termin" checked by the booking predicate."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.models import Appointment, AppointmentStatus
from phasebook.booking.services import BookingRequest, hold_appointment
from phasebook.salons.models import Absence
from tests.factories import ACTOR, make_company, make_service, make_staff
from tests.support.booking import a_wednesday, book_at
from tests.support.portal import salon_user

BLOCK = re.compile(
    r'<(?:a|div) class="pb-block ([^"]*)"[^>]*data-kind="(\w+)" data-start="([\d:]+)"'
)


def day_url(start) -> str:
    return f"/admin/terminbuch/?date={start.astimezone(timezone.get_default_timezone()).date()}"


def blocks(page: str) -> list[tuple[str, str, str]]:
    """(classes, kind, local start) of every block on the page."""
    return BLOCK.findall(page)


def test_salon_users_start_in_the_terminbuch(portal: Client) -> None:
    response = portal.get("/admin/")

    assert response.status_code == 302
    assert response.url == "/admin/terminbuch/"


def test_a_cut_is_drawn_inside_the_colours_processing_time(
    portal: Client, salon: SimpleNamespace
) -> None:
    colour_at = a_wednesday(10)
    book_at(salon.company, salon.colour, salon.anna, colour_at, "Maria Berger")
    book_at(salon.company, salon.cut, salon.anna, a_wednesday(10, 30), "Paul Klaus")

    page = portal.get(f"/admin/terminbuch/?date={colour_at.date()}").content.decode()

    assert ("pb-work", "work", "10:00") in blocks(page)
    assert ("processing", "10:30") in [(kind, start) for _, kind, start in blocks(page)]
    assert ("pb-work is-inset", "work", "10:30") in blocks(page)
    assert "Paul Klaus" in page
    assert "Einwirkzeit · Maria Berger" in page


def test_times_are_the_salons_wall_clock_time(db: None) -> None:
    company = make_company("salon-ny", time_zone="America/New_York")
    cut = make_service(
        company,
        "Cut",
        [{"key": "A", "name": "Cut", "duration_minutes": 30, "staff_required": True}],
    )
    stylist = make_staff(company, "Nora")
    start = a_wednesday(11).replace(tzinfo=company.zone)
    book_at(company, cut, stylist, start, "Kim")
    client = Client()
    client.force_login(salon_user(company))

    page = client.get(f"/admin/terminbuch/?date={start.date()}").content.decode()

    assert [(kind, at) for _, kind, at in blocks(page)] == [("work", "11:00")]
    assert "Zeiten in America/New_York" in page


def test_a_hold_is_tentative_and_an_expired_one_is_gone(
    portal: Client, salon: SimpleNamespace
) -> None:
    start = a_wednesday(14)
    hold = hold_appointment(
        salon.company,
        BookingRequest(salon.cut.pk, start, CustomerDetails("Anruf"), str(salon.ben.pk)),
        actor=ACTOR,
    )
    url = f"/admin/terminbuch/?date={start.date()}"

    assert ("pb-work is-held", "work", "14:00") in blocks(portal.get(url).content.decode())
    Appointment.objects.filter(pk=hold.pk).update(hold_expires_at=timezone.now())
    assert blocks(portal.get(url).content.decode()) == []


def test_absences_are_drawn_and_offer_no_free_time(portal: Client, salon: SimpleNamespace) -> None:
    start = a_wednesday(9)
    Absence.objects.create(
        staff=salon.anna, start=start, end=start + timedelta(hours=3), reason="Fortbildung"
    )

    page = portal.get(f"/admin/terminbuch/?date={start.date()}").content.decode()

    assert ("pb-absence", "absence", "09:00") in blocks(page)
    anna = page.split(f'data-staff="{salon.anna.pk}"')[1].split("</section>")[0]
    assert 'data-start="11:45"' not in anna
    assert 'data-start="12:00"' in anna


def test_another_salons_appointments_never_appear(
    portal: Client, salon: SimpleNamespace, other_salon: SimpleNamespace
) -> None:
    start = a_wednesday(10)
    book_at(other_salon.company, other_salon.cut, other_salon.anna, start, "Fremde Kundin")

    page = portal.get(f"/admin/terminbuch/?date={start.date()}").content.decode()

    assert "Fremde Kundin" not in page
    assert str(other_salon.anna.pk) not in page


def test_the_day_costs_the_same_queries_with_one_or_many_appointments(
    portal: Client, salon: SimpleNamespace
) -> None:
    start = a_wednesday(9)
    book_at(salon.company, salon.cut, salon.anna, start, "Erste")
    url = f"/admin/terminbuch/?date={start.date()}"
    portal.get(url)  # sessions and content types are cached after the first request
    with CaptureQueriesContext(connection) as one:
        portal.get(url)
    for slot in range(1, 12):
        book_at(
            salon.company, salon.cut, salon.ben, start + timedelta(minutes=30 * slot), f"K{slot}"
        )

    with CaptureQueriesContext(connection) as many:
        page = portal.get(url).content.decode()

    assert len(blocks(page)) == 12
    # session, user, salon, the salons to switch to, permissions (2), whether the user owns a
    # salon (the sidebar's memberships and tokens), stylists, phases, absences, external
    # blocks, and the sync notice (phases, oldest pending, reviews, last finding, findings)
    assert len(many) == len(one) <= 16


def test_a_free_time_offers_the_services_that_fit_and_says_why_others_do_not(
    portal: Client, salon: SimpleNamespace
) -> None:
    start = a_wednesday(17, 15)  # the colour (2 h 40) would end after closing at 18:00

    page = portal.get(
        "/admin/terminbuch/neu/", {"staff": str(salon.anna.pk), "start": start.isoformat()}
    ).content.decode()

    assert re.search(rf'value="{salon.cut.pk}"\s+required', page)
    assert re.search(rf'value="{salon.colour.pk}" disabled', page)
    assert "liegt nicht vollständig in den Öffnungszeiten (09:00–18:00)" in page


def test_booking_from_a_free_time_goes_through_the_booking_service(
    portal: Client, salon: SimpleNamespace
) -> None:
    start = a_wednesday(12)

    response = portal.post(
        "/admin/terminbuch/neu/",
        {
            "staff": str(salon.ben.pk),
            "start": start.isoformat(),
            "service": str(salon.cut.pk),
            "name": "Neue Kundin",
            "phone": "0171 2345678",
            "email": "",
        },
    )

    appointment = Appointment.objects.get(customer__name="Neue Kundin")
    assert response.status_code == 302
    assert response.url == f"/admin/booking/appointment/{appointment.pk}/change/"
    assert (appointment.staff, appointment.start, appointment.status, appointment.source) == (
        salon.ben,
        start,
        AppointmentStatus.BOOKED,
        "admin",
    )
    assert appointment.customer.phone == "+491712345678"


def test_a_time_taken_meanwhile_is_refused_with_the_reason(
    portal: Client, salon: SimpleNamespace
) -> None:
    start = a_wednesday(12)
    form = {
        "staff": str(salon.ben.pk),
        "start": start.isoformat(),
        "service": str(salon.cut.pk),
        "name": "Zweite",
        "phone": "",
        "email": "",
    }
    page_before = portal.get("/admin/terminbuch/neu/", form)
    assert page_before.status_code == 200
    book_at(salon.company, salon.cut, salon.ben, start, "Schneller")

    page = portal.post("/admin/terminbuch/neu/", form).content.decode()

    assert not Appointment.objects.filter(customer__name="Zweite").exists()
    assert "Dieser Termin ist leider schon vergeben." in page


@pytest.mark.parametrize("who", ["foreign stylist", "nonsense"])
def test_new_appointment_for_a_stylist_of_another_salon_is_not_found(
    portal: Client, salon: SimpleNamespace, other_salon: SimpleNamespace, who: str
) -> None:
    staff = str(other_salon.anna.pk) if who == "foreign stylist" else "nonsense"

    response = portal.get(
        "/admin/terminbuch/neu/", {"staff": staff, "start": a_wednesday(12).isoformat()}
    )

    assert response.status_code == 404


def test_a_member_of_two_salons_switches_between_them(
    salon: SimpleNamespace, other_salon: SimpleNamespace
) -> None:
    from phasebook.salons.models import Membership

    user = salon_user(salon.company)
    Membership.objects.create(user=user, company=other_salon.company)
    client = Client()
    client.force_login(user)
    assert salon.company.name in client.get("/admin/terminbuch/").content.decode()

    response = client.get(f"/admin/salon/{other_salon.company.pk}/", follow=True)

    assert response.redirect_chain[-1][0] == "/admin/terminbuch/"
    assert str(other_salon.anna.pk) in response.content.decode()
    assert str(salon.anna.pk) not in response.content.decode()


def test_nobody_switches_to_a_salon_they_do_not_belong_to(
    portal: Client, other_salon: SimpleNamespace
) -> None:
    assert portal.get(f"/admin/salon/{other_salon.company.pk}/").status_code == 404
