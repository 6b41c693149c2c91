"""The admin shows each salon only its own data; every page renders."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.events import Actor
from phasebook.booking.services import (
    BookingRequest,
    book_appointment,
    cancel_appointment,
    reschedule_appointment,
)
from phasebook.salons.models import ApiToken, Membership
from tests.factories import ACTOR, next_weekday

CHANGELISTS = [
    "salons/company",
    "salons/staff",
    "salons/service",
    "salons/customer",
    "salons/apitoken",
    "salons/externalbusyblock",
    "booking/appointment",
    "calsync/calcomsyncsettings",
    "calsync/phasesynctask",
    "calsync/syncdrift",
]


def _book(salon, customer_name, actor=ACTOR):
    request = BookingRequest(
        salon.colour.pk,
        next_weekday(timezone.now()),
        CustomerDetails(customer_name),
        str(salon.anna.pk),
    )
    return book_appointment(salon.company, request, actor=actor)


def _member_of(company) -> Client:
    user = User.objects.create_user("owner", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["salons", "booking"])
    )
    Membership.objects.create(user=user, company=company)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser_client(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw"))
    return client


@pytest.mark.parametrize("page", CHANGELISTS)
def test_every_changelist_renders_for_a_superuser(superuser_client, salon, page):
    _book(salon, "Paul Klaus")
    assert superuser_client.get(f"/admin/{page}/").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "q=Paul",
        "status__exact=booked&source__exact=api",
        "o=2.-3",
        "start__year={start.year}",
        "start__year={start.year}&start__month={start.month}",
        "start__year={start.year}&start__month={start.month}&start__day={start.day}",
    ],
)
def test_searching_filtering_and_drilling_into_dates_render_again_and_again(
    superuser_client, salon, query
):
    # On PostgreSQL statements are prepared after their fifth run and then planned
    # generically (settings): grouping and date truncation must survive that.
    appointment = _book(salon, "Paul Klaus")
    url = f"/admin/booking/appointment/?{query.format(start=appointment.start)}"
    for _ in range(7):
        page = superuser_client.get(url)
        assert page.status_code == 200
        assert "Paul Klaus" in page.content.decode()


def test_the_appointment_page_shows_the_phase_timeline(superuser_client, salon):
    appointment = _book(salon, "Paul Klaus")
    page = superuser_client.get(f"/admin/booking/appointment/{appointment.pk}/change/")
    assert page.status_code == 200
    assert "Einwirkzeit" in page.content.decode()
    assert "Friseur erforderlich" in page.content.decode()


def test_the_appointment_page_and_its_history_show_who_booked_moved_and_cancelled(
    superuser_client, salon
):
    token = ApiToken.objects.get(company=salon.company)
    appointment = _book(salon, "Paul Klaus", actor=Actor.phone("call_5f1c0e"))
    later = appointment.start + timedelta(hours=2)
    reschedule_appointment(salon.company, appointment.pk, later, actor=Actor.api(token))
    cancel_appointment(
        salon.company, appointment.pk, "krank", actor=Actor.admin(User.objects.get(username="root"))
    )
    before, after = (
        f"{instant.astimezone(salon.company.zone):%d.%m.%Y, %H:%M}"
        for instant in (appointment.start, later)
    )
    expected = [
        "Telefon-Assistent: call_5f1c0e",
        f"Gebucht für {before} bei Anna.",
        "API-Token: test",
        f"Verschoben von {before} auf {after}.",
        "Admin: root",
        "Storniert: krank",
    ]

    for url in (
        f"/admin/booking/appointment/{appointment.pk}/change/",
        f"/admin/booking/appointment/{appointment.pk}/history/",
    ):
        page = superuser_client.get(url).content.decode()
        assert [text for text in expected if text not in page] == [], url
        assert "keine Änderungsgeschichte" not in page, url


def test_the_appointment_pages_are_titled_with_the_salons_wall_clock(superuser_client, salon):
    appointment = _book(salon, "Paul Klaus")
    local, utc = (
        f"Ansatzfärbung · {appointment.start.astimezone(zone):%Y-%m-%d %H:%M}"
        for zone in (salon.company.zone, UTC)
    )
    for url in (
        f"/admin/booking/appointment/{appointment.pk}/change/",
        f"/admin/booking/appointment/{appointment.pk}/history/",
    ):
        title = superuser_client.get(url).content.decode().partition("</title>")[0]
        assert (local in title, utc in title) == (True, False), url


def test_a_salon_member_sees_only_their_salons_appointments(salon, other_salon):
    _book(salon, "Paul Klaus")
    foreign = _book(other_salon, "Fremde Kundin")
    client = _member_of(salon.company)
    listing = client.get("/admin/booking/appointment/").content.decode()
    assert "Paul Klaus" in listing
    assert "Fremde Kundin" not in listing
    page = client.get(f"/admin/booking/appointment/{foreign.pk}/change/")
    # The admin answers an object outside the queryset as one that does not exist.
    assert (page.status_code, page.url) == (302, "/admin/")


def test_a_salon_member_cannot_pick_another_salons_services_for_a_stylist(salon, other_salon):
    client = _member_of(salon.company)
    page = client.get(f"/admin/salons/staff/{salon.anna.pk}/change/").content.decode()
    assert f'value="{salon.colour.pk}"' in page
    assert f'value="{other_salon.colour.pk}"' not in page
    foreign = client.get(f"/admin/salons/staff/{other_salon.anna.pk}/change/")
    assert (foreign.status_code, foreign.url) == (302, "/admin/")


def test_a_salon_member_sees_only_their_salons_sync_settings(salon, other_salon):
    from phasebook.calsync.models import CalcomSyncSettings

    CalcomSyncSettings.objects.create(company=salon.company)
    foreign = CalcomSyncSettings.objects.create(company=other_salon.company)
    client = _member_of(salon.company)
    User.objects.get(username="owner").user_permissions.add(
        *Permission.objects.filter(content_type__app_label="calsync")
    )
    listing = client.get("/admin/calsync/calcomsyncsettings/").content.decode()
    assert salon.company.name in listing
    assert other_salon.company.name not in listing
    page = client.get(f"/admin/calsync/calcomsyncsettings/{foreign.pk}/change/")
    assert (page.status_code, page.url) == (302, "/admin/")
