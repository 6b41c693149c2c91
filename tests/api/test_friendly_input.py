"""Friendlier input and output: plain dates for availability, phone numbers as people write
them, times in the salon's offset everywhere, run-out holds that read "expired"."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from phasebook.booking.models import Appointment
from phasebook.booking.tasks import retire_expired_holds_task
from phasebook.salons.models import Customer
from tests.factories import BERLIN, next_weekday

DAY = next_weekday(timezone.now())  # a Wednesday, 10:00 in Berlin


def _slots(api, salon, **window: str) -> list[dict]:
    response = api.get("/availability", service=salon.cut.pk, staff=str(salon.anna.pk), **window)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_plain_date_is_the_salons_whole_local_day_to_inclusive(api, salon) -> None:
    day = DAY.date().isoformat()
    start = DAY.replace(hour=0)

    by_date = _slots(api, salon, **{"from": day, "to": day})
    by_instants = _slots(
        api, salon, **{"from": start.isoformat(), "to": (start + timedelta(days=1)).isoformat()}
    )

    assert by_date == by_instants
    assert by_date[0]["start"] == DAY.replace(hour=9).isoformat()  # opening, in Berlin
    assert all(slot["start"].startswith(day) for slot in by_date)


def test_to_before_from_in_dates_is_refused(api, salon) -> None:
    day = DAY.date()

    response = api.get(
        "/availability",
        service=salon.cut.pk,
        **{"from": day.isoformat(), "to": (day - timedelta(days=1)).isoformat()},
    )

    assert response.status_code == 400
    assert response.json()["field"] == "to"


def test_every_slot_carries_its_stylists_name(api, salon) -> None:
    day = DAY.date().isoformat()

    slots = _slots(api, salon, **{"from": day, "to": day})

    assert {slot["staff_name"] for slot in slots} == {"Anna"}


@pytest.mark.parametrize(
    "phone", ["0151 12345678", "+49 151 12345678", "0049 151 12345678", "(0151) 1234-5678"]
)
def test_phone_numbers_in_common_formats_are_one_e164_customer(api, salon, phone) -> None:
    body = {
        "service_id": salon.cut.pk,
        "start": DAY.isoformat(),
        "customer": {"name": "Eva", "phone": phone},
    }

    assert api.post("/appointments", body).status_code == 201
    assert Customer.objects.get().phone == "+4915112345678"


@pytest.mark.parametrize(
    ("language", "example"),
    [
        ("de", "Bitte z. B. so angeben: 01512 3456789 oder +49 1512 3456789."),
        ("en", "Please enter it like this, e.g.: 01512 3456789 or +49 1512 3456789."),
    ],
)
def test_an_invalid_phone_number_is_answered_with_an_example(salon, language, example) -> None:
    from tests.api.test_limits import _post

    body = {
        "service_id": salon.cut.pk,
        "start": DAY.isoformat(),
        "customer": {"name": "Eva", "phone": "+49 152 1112223"},
    }

    response = _post(salon.token, "/appointments", body, **{"Accept-Language": language})

    assert response.status_code == 400
    assert response.json()["field"] == "customer.phone"
    assert response.json()["message"].endswith(example)


def _in_salons_offset(text: str) -> bool:
    """Whether an answer's time carries the offset Berlin has at that instant (+01:00 in
    winter, +02:00 in summer: the day under test follows the real clock)."""
    instant = datetime.fromisoformat(text)
    return instant.utcoffset() == instant.astimezone(BERLIN).utcoffset()


def test_a_holds_expiry_and_a_conflicts_alternatives_carry_the_salons_offset(api, salon):
    body = {
        "service_id": salon.cut.pk,
        "start": DAY.isoformat(),
        "staff_id": str(salon.anna.pk),
        "customer": {"name": "Eva"},
    }
    hold = api.post("/holds", body).json()

    taken = api.post("/appointments", body | {"customer": {"name": "Ute"}}).json()

    assert _in_salons_offset(hold["expires_at"])
    assert taken["alternatives"]
    assert all(_in_salons_offset(slot["start"]) for slot in taken["alternatives"])
    assert {slot["staff_name"] for slot in taken["alternatives"]} == {"Anna"}


def test_a_run_out_hold_reads_expired_once_the_periodic_task_ran(api, salon) -> None:
    from phasebook.calsync.tasks import beat_schedule

    body = {"service_id": salon.cut.pk, "start": DAY.isoformat(), "customer": {"name": "Eva"}}
    hold = api.post("/holds", body).json()
    Appointment.objects.filter(pk=hold["id"]).update(
        hold_expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert retire_expired_holds_task() == 1
    assert api.get(f"/appointments/{hold['id']}").json()["status"] == "expired"
    assert {task.name: every for every, task in beat_schedule()}[
        "booking.retire_expired_holds"
    ] == 60
