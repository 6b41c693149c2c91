"""The catalogue is edited like a person would: segments as rows, hours per weekday; the
stored JSON and its validation stay what they were."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.test import Client
from django.utils.html import escape

from phasebook.salons.models import Service
from tests.factories import COLOUR


def segment_rows(segments: list[dict[str, Any]], spare: int = 2) -> dict[str, str]:
    data = {"segments-rows": str(len(segments) + spare)}
    for index, segment in enumerate(segments):
        prefix = f"segments-{index}"
        data |= {
            f"{prefix}-position": str(segment.get("position", index + 1)),
            f"{prefix}-key": segment.get("key", ""),
            f"{prefix}-name": segment["name"],
            f"{prefix}-minutes": str(segment["duration_minutes"]),
        }
        if segment["staff_required"]:
            data[f"{prefix}-staff"] = "on"
    return data


def service_form(service: Service, segments: list[dict[str, Any]]) -> dict[str, str]:
    return {
        "company": str(service.company_id),
        "name": service.name,
        "description": "",
        "is_active": "on",
        **segment_rows(segments),
    }


def test_the_service_page_shows_each_segment_as_a_row(
    portal: Client, salon: SimpleNamespace
) -> None:
    page = portal.get(f"/admin/salons/service/{salon.colour.pk}/change/").content.decode()

    for segment in COLOUR:
        assert f'value="{escape(segment["name"])}"' in page
    assert "Einwirkzeit" in page
    assert '"duration_minutes"' not in page  # no raw JSON


def test_a_person_adds_a_segment_and_moves_it_to_the_front(
    portal: Client, salon: SimpleNamespace
) -> None:
    rows = [dict(segment) for segment in COLOUR] + [
        {"name": "Beratung", "duration_minutes": 10, "staff_required": True, "position": 0}
    ]

    response = portal.post(
        f"/admin/salons/service/{salon.colour.pk}/change/", service_form(salon.colour, rows)
    )

    assert response.status_code == 302
    salon.colour.refresh_from_db()
    assert [(s["key"], s["name"], s["duration_minutes"]) for s in salon.colour.segments][:2] == [
        ("E", "Beratung", 10),
        ("A", "Ansatzfärbung auftragen", 30),
    ]
    assert [s["key"] for s in salon.colour.segments] == ["E", "A", "GAP_A", "B", "C", "D"]


def test_a_new_processing_row_is_keyed_after_the_segment_before_it(
    portal: Client, salon: SimpleNamespace
) -> None:
    rows = [
        {"key": "A", "name": "Herrenhaarschnitt", "duration_minutes": 30, "staff_required": True},
        {"name": "Kur einwirken", "duration_minutes": 10, "staff_required": False},
        {"name": "Ausspülen", "duration_minutes": 5, "staff_required": True},
    ]

    portal.post(f"/admin/salons/service/{salon.cut.pk}/change/", service_form(salon.cut, rows))

    salon.cut.refresh_from_db()
    assert [(s["key"], s["staff_required"]) for s in salon.cut.segments] == [
        ("A", True),
        ("GAP_A", False),
        ("B", True),
    ]


def test_a_bad_row_is_refused_with_the_cores_german_message(
    portal: Client, salon: SimpleNamespace
) -> None:
    rows = [
        {
            "key": "A",
            "name": "Herrenhaarschnitt",
            "duration_minutes": "zehn",
            "staff_required": True,
        }
    ]

    page = portal.post(
        f"/admin/salons/service/{salon.cut.pk}/change/", service_form(salon.cut, rows)
    ).content.decode()

    assert "die Dauer muss eine positive ganze Zahl von Minuten sein" in page
    salon.cut.refresh_from_db()
    assert salon.cut.segments[0]["duration_minutes"] == 30


def test_processing_time_cannot_start_a_service(portal: Client, salon: SimpleNamespace) -> None:
    rows = [
        {"name": "Einwirkzeit", "duration_minutes": 10, "staff_required": False},
        {"key": "A", "name": "Schnitt", "duration_minutes": 30, "staff_required": True},
    ]

    response = portal.post(
        f"/admin/salons/service/{salon.cut.pk}/change/", service_form(salon.cut, rows)
    )

    assert response.status_code == 200
    salon.cut.refresh_from_db()
    assert len(salon.cut.segments) == 1


def test_weekly_hours_are_edited_per_weekday(portal: Client, salon: SimpleNamespace) -> None:
    stylist = salon.anna
    form = {
        "company": str(salon.company.pk),
        "name": stylist.name,
        "email": "",
        "is_active": "on",
        "services": [str(salon.cut.pk)],
        "calcom_user_id": "",
        "calcom_username": "",
        "working_hours-mon-0-from": "09:00",
        "working_hours-mon-0-to": "13:00",
        "working_hours-mon-1-from": "14:00",
        "working_hours-mon-1-to": "18:00",
        "working_hours-sat-0-from": "10:00",
        "working_hours-sat-0-to": "14:00",
        "absences-TOTAL_FORMS": "0",
        "absences-INITIAL_FORMS": "0",
    }

    response = portal.post(f"/admin/salons/staff/{stylist.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:3000]
    stylist.refresh_from_db()
    assert stylist.working_hours == {
        "mon": [["09:00", "13:00"], ["14:00", "18:00"]],
        "sat": [["10:00", "14:00"]],
    }


def test_hours_that_end_before_they_begin_are_refused_in_german(
    portal: Client, salon: SimpleNamespace
) -> None:
    form = {
        "name": salon.company.name,
        "slug": salon.company.slug,
        "time_zone": "Europe/Berlin",
        "closed_dates": "[]",
        "public_holidays_country": "",
        "public_holidays_subdivision": "",
        "min_notice_minutes": "60",
        "horizon_days": "90",
        "slot_step_minutes": "15",
        "opening_hours-mon-0-from": "18:00",
        "opening_hours-mon-0-to": "09:00",
    }

    page = portal.post(f"/admin/salons/company/{salon.company.pk}/change/", form)

    assert "Montag: das Ende 09:00 liegt nicht nach dem Beginn 18:00." in page.content.decode()


def test_customers_are_listed_with_phone_and_email_and_their_appointments(
    portal: Client, salon: SimpleNamespace
) -> None:
    from phasebook.salons.models import Customer
    from tests.support.booking import a_wednesday, book_at

    appointment = book_at(salon.company, salon.colour, salon.anna, a_wednesday(10), "Maria Berger")
    Customer.objects.filter(pk=appointment.customer_id).update(
        phone="+4917612345601", email="maria@example.com"
    )

    listing = portal.get("/admin/salons/customer/").content.decode()
    page = portal.get(f"/admin/salons/customer/{appointment.customer_id}/change/").content.decode()

    assert "+4917612345601" in listing
    assert "maria@example.com" in listing
    assert f"/admin/booking/appointment/{appointment.pk}/change/" in page
    assert "Ansatzfärbung" in page
