"""Terminübersicht, Termin-Detailseite and their actions, each through a service."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phasebook.booking.models import Appointment, AppointmentStatus
from phasebook.calsync.models import PhaseSyncTask
from tests.factories import ACTOR
from tests.support.booking import a_wednesday, book_at

LIST = "/admin/booking/appointment/"
REVIEW_FLAG = '<span class="pb-badge is-failed">Manuelle Prüfung nötig</span>'


def detail_url(appointment: Appointment) -> str:
    return f"{LIST}{appointment.pk}/change/"


def text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def colour(salon: SimpleNamespace) -> Appointment:
    return book_at(salon.company, salon.colour, salon.anna, a_wednesday(10), "Maria Berger")


def test_the_list_marks_compound_appointments_and_reads_local_time(
    portal: Client, salon: SimpleNamespace, colour: Appointment
) -> None:
    book_at(salon.company, salon.cut, salon.ben, a_wednesday(10), "Paul Klaus")

    page = text(portal.get(LIST))

    assert "Ansatzfärbung (4 Segmente)" in page
    assert "Compound" in page
    assert "Standard" in page
    assert "10:00" in page
    assert "09:00" not in page
    assert REVIEW_FLAG not in page


def test_the_manual_review_flag_shows_only_where_a_person_must_look(
    portal: Client, salon: SimpleNamespace, colour: Appointment
) -> None:
    Appointment.objects.filter(pk=colour.pk).update(requires_manual_review=True)

    assert text(portal.get(LIST)).count(REVIEW_FLAG) == 1


def test_an_expired_hold_reads_as_expired(portal: Client, salon: SimpleNamespace) -> None:
    from phasebook.booking.customers import CustomerDetails
    from phasebook.booking.services import BookingRequest, hold_appointment

    request = BookingRequest(
        salon.cut.pk, a_wednesday(15), CustomerDetails("Rita Reserve"), str(salon.ben.pk)
    )
    hold = hold_appointment(salon.company, request, actor=ACTOR)
    Appointment.objects.filter(pk=hold.pk).update(hold_expires_at=timezone.now())

    assert "Reservierung abgelaufen" in text(portal.get(LIST))
    assert "Rita Reserve" in text(portal.get(LIST, {"status": "expired"}))
    assert "Rita Reserve" not in text(portal.get(LIST, {"status": "held"}))


def test_search_finds_a_customer_by_phone(portal: Client, salon: SimpleNamespace) -> None:
    from phasebook.booking.customers import CustomerDetails
    from phasebook.booking.services import BookingRequest, book_appointment

    book_appointment(
        salon.company,
        BookingRequest(
            salon.cut.pk,
            a_wednesday(12),
            CustomerDetails("Lea Hoffmann", "+4917612345603"),
            str(salon.ben.pk),
        ),
        actor=ACTOR,
    )

    assert "Lea Hoffmann" in text(portal.get(LIST, {"q": "+4917612345603"}))
    assert "Lea Hoffmann" not in text(portal.get(LIST, {"q": "+4917600000000"}))


def test_the_date_range_is_the_salons_calendar_day(portal: Client, salon: SimpleNamespace) -> None:
    late = a_wednesday(0, 30).replace(hour=0)  # 00:30 Berlin is the previous day in UTC
    from phasebook.booking.models import AppointmentPhase

    early = book_at(salon.company, salon.cut, salon.anna, a_wednesday(9), "Früh")
    Appointment.objects.filter(pk=early.pk).update(start=late, end=late + timedelta(minutes=30))
    AppointmentPhase.objects.filter(appointment=early).update(
        start_time=late, end_time=late + timedelta(minutes=30)
    )
    day = late.date().strftime("%d.%m.%Y")

    page = text(portal.get(LIST, {"start_from": day, "start_to": day}))

    assert "Früh" in page


def test_filters_offer_only_the_salons_own_stylists_and_services(
    portal: Client, salon: SimpleNamespace, other_salon: SimpleNamespace, colour: Appointment
) -> None:
    book_at(salon.company, salon.cut, salon.ben, a_wednesday(10), "Paul Klaus")
    book_at(other_salon.company, other_salon.cut, other_salon.anna, a_wednesday(10), "Fremd")
    book_at(other_salon.company, other_salon.colour, other_salon.ben, a_wednesday(10), "Fremd")

    page = text(portal.get(LIST))

    assert str(salon.anna.pk) in page
    assert str(salon.ben.pk) in page
    assert str(other_salon.anna.pk) not in page
    assert str(other_salon.ben.pk) not in page
    assert f'value="{other_salon.cut.pk}"' not in page


def test_the_compound_filter(portal: Client, salon: SimpleNamespace, colour: Appointment) -> None:
    book_at(salon.company, salon.cut, salon.ben, a_wednesday(10), "Paul Klaus")

    compound = text(portal.get(LIST, {"kind": "compound"}))
    standard = text(portal.get(LIST, {"kind": "standard"}))

    assert "Maria Berger" in compound
    assert "Paul Klaus" not in compound
    assert "Paul Klaus" in standard
    assert "Maria Berger" not in standard


def test_the_list_costs_the_same_queries_for_one_or_many_appointments(
    portal: Client, salon: SimpleNamespace
) -> None:
    book_at(salon.company, salon.cut, salon.anna, a_wednesday(9), "Erste")
    portal.get(LIST)
    with CaptureQueriesContext(connection) as one:
        portal.get(LIST)
    for week in range(1, 6):
        book_at(
            salon.company, salon.colour, salon.anna, a_wednesday(9) + timedelta(weeks=week), "F"
        )
        for hour in (9, 11, 13, 15):
            start = a_wednesday(hour) + timedelta(weeks=week)
            book_at(salon.company, salon.cut, salon.ben, start, f"K{week}{hour}")

    with CaptureQueriesContext(connection) as many:
        portal.get(LIST)

    assert len(many) == len(one)


def test_the_detail_page_lists_every_segment_with_its_sync_state(
    portal: Client, colour: Appointment
) -> None:
    colour.phases.filter(segment_key="B").update(
        calcom_sync_status="failed", sync_error_message="Cal.com: event type 42 fehlt (404)"
    )
    colour.phases.filter(segment_key="A").update(
        calcom_sync_status="synced", calcom_booking_id=1234, calcom_booking_uid="uid-abc"
    )

    page = text(portal.get(detail_url(colour)))

    for key in ("A", "GAP_A", "B", "C", "D"):
        assert f'data-segment="{key}"' in page
    assert "Nein (Einwirkzeit)" in page
    assert "Cal.com: event type 42 fehlt (404)" in page
    assert 'data-copy="1234"' in page
    assert 'data-copy="uid-abc"' in page
    assert "Zeitleiste (160 Minuten gesamt)" in page
    assert "Europe/Berlin" in page
    assert "10:00–12:40 Uhr" in page


def test_the_detail_page_offers_no_save_and_no_delete(portal: Client, colour: Appointment) -> None:
    page = text(portal.get(detail_url(colour)))

    assert 'name="_save"' not in page
    assert "löschen" not in page.lower().split("<footer")[0].replace("stornieren", "")
    assert portal.post(detail_url(colour), {}).status_code == 403
    assert portal.get(f"{LIST}{colour.pk}/delete/").status_code == 403


def test_the_detail_page_costs_the_same_queries_for_one_or_five_phases(
    portal: Client, salon: SimpleNamespace, colour: Appointment
) -> None:
    cut = book_at(salon.company, salon.cut, salon.ben, a_wednesday(10), "Paul Klaus")
    portal.get(detail_url(cut))
    with CaptureQueriesContext(connection) as one_phase:
        portal.get(detail_url(cut))
    with CaptureQueriesContext(connection) as five_phases:
        portal.get(detail_url(colour))

    assert len(five_phases) == len(one_phase)


def test_reschedule_offers_free_alternatives_and_moves_on_confirmation(
    portal: Client, salon: SimpleNamespace, colour: Appointment
) -> None:
    url = f"/admin/termine/{colour.pk}/verschieben/"
    day = (colour.start + timedelta(days=1)).astimezone(salon.company.zone).date()

    page = text(portal.get(url, {"date": day.isoformat()}))
    offered = re.findall(r'name="choice" value="([^"]+)"', page)
    assert offered, page
    choice = next(value for value in offered if "T13:00:00" in value)
    response = portal.post(url, {"choice": choice})

    colour.refresh_from_db()
    assert response.status_code == 302
    assert timezone.localtime(colour.start, salon.company.zone).strftime("%d %H:%M") == (
        f"{day:%d} 13:00"
    )
    assert next(p.start_time for p in colour.phases.order_by("sequence_order")) == colour.start


def test_reschedule_refuses_a_time_taken_meanwhile_with_the_services_reason(
    portal: Client, salon: SimpleNamespace, colour: Appointment
) -> None:
    url = f"/admin/termine/{colour.pk}/verschieben/"
    target = colour.start + timedelta(days=1, hours=3)
    book_at(salon.company, salon.cut, salon.anna, target, "Schneller")

    response = portal.post(url, {"choice": f"{target.isoformat()} {salon.anna.pk}"}, follow=True)

    colour.refresh_from_db()
    assert colour.start == a_wednesday(10)
    assert "schon vergeben" in text(response)


def test_cancel_needs_a_reason_and_happens_once(portal: Client, colour: Appointment) -> None:
    url = f"/admin/termine/{colour.pk}/stornieren/"

    assert "Grund" in text(portal.get(url))
    assert portal.post(url, {"reason": ""}).status_code == 200
    colour.refresh_from_db()
    assert colour.status == AppointmentStatus.BOOKED

    portal.post(url, {"reason": "Kundin krank"})
    colour.refresh_from_db()
    assert (colour.status, colour.cancel_reason) == (AppointmentStatus.CANCELLED, "Kundin krank")

    again = portal.post(url, {"reason": "nochmal"})
    colour.refresh_from_db()
    assert colour.cancel_reason == "Kundin krank"
    assert "bereits storniert" in text(again)


def test_retry_asks_first_then_requests_a_fresh_sync(
    portal: Client,
    colour: Appointment,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dispatched: list[Any] = []
    monkeypatch.setattr(
        "phasebook.calsync.manual.dispatch", lambda task, *args: dispatched.append(args)
    )
    url = f"/admin/termine/{colour.pk}/sync-wiederholen/"

    assert "Jetzt erneut synchronisieren" in text(portal.get(url))
    assert dispatched == []
    with django_capture_on_commit_callbacks(execute=True):
        portal.post(url)

    assert dispatched == [(str(colour.pk),)]
    assert PhaseSyncTask.objects.filter(appointment=colour, status="pending").count() == 4


@pytest.mark.parametrize(
    "action", ["verschieben", "stornieren", "sync-wiederholen", "cal-com-pruefen"]
)
def test_another_salons_appointment_is_not_found_by_any_action(
    portal: Client, other_salon: SimpleNamespace, action: str
) -> None:
    foreign = book_at(other_salon.company, other_salon.cut, other_salon.anna, a_wednesday(10), "F")

    assert portal.get(f"/admin/termine/{foreign.pk}/{action}/").status_code == 404
    assert portal.post(f"/admin/termine/{foreign.pk}/{action}/", {"reason": "x"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == AppointmentStatus.BOOKED
