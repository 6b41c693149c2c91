"""Bookings by channel, conflicts and holds: counted once committed, from every channel."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from tests.factories import next_weekday
from tests.monitoring.captured import CapturedLog
from tests.support.api import ApiClient
from tests.support.retell import phone_call
from tests.support.scraping import sample, scrape

BOOKINGS, CONFLICTS = "phasebook_bookings_total", "phasebook_booking_conflicts_total"
HOLDS = "phasebook_holds_created_total"


def body(salon: SimpleNamespace, hour: int = 10) -> dict[str, Any]:
    start = next_weekday(timezone.now(), hour=hour)
    return {
        "service_id": salon.cut.pk,
        "start": start.isoformat(),
        "staff_id": str(salon.anna.pk),
        "customer": {"name": "Eva"},
    }


def test_a_booking_is_counted_by_its_channel_once_committed(
    salon: SimpleNamespace,
    api: ApiClient,
    django_capture_on_commit_callbacks: Callable[..., Any],
    captured_log: CapturedLog,
) -> None:
    before = sample(scrape(), BOOKINGS, source="api")

    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        booked = api.post("/appointments", body(salon))
        uncommitted = sample(scrape(), BOOKINGS, source="api")
    for callback in after_commit:
        callback()

    assert booked.status_code == 201
    assert uncommitted == before
    assert sample(scrape(), BOOKINGS, source="api") == before + 1
    (line,) = [line for line in captured_log.lines() if line["message"] == "appointment booked"]
    assert (line["appointment_id"], line["source"]) == (booked.json()["id"], "api")


def test_a_taken_time_is_a_conflict_of_its_channel(salon: SimpleNamespace, api: ApiClient) -> None:
    assert api.post("/appointments", body(salon)).status_code == 201
    before = sample(scrape(), CONFLICTS, source="api")

    refused = api.post("/appointments", body(salon))

    assert refused.status_code == 409
    assert sample(scrape(), CONFLICTS, source="api") == before + 1


def test_a_hold_is_counted_once_committed_and_its_booking_by_the_phone(
    retell_salon: SimpleNamespace, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    before = scrape()
    day = next_weekday(timezone.now()).date().isoformat()
    args = {"service": "Herrenhaarschnitt", "date": day, "time": "10 Uhr"}

    with django_capture_on_commit_callbacks(execute=True):
        held = retell_salon.retell.tool("check_availability", args, phone_call()).json()
        booking = {"hold_id": held["hold_id"], "customer_name": "Paula Berg"}
        retell_salon.retell.tool("book_appointment", booking, phone_call())

    after = scrape()
    assert sample(after, HOLDS) == sample(before, HOLDS) + 1
    assert sample(after, BOOKINGS, source="phone") == sample(before, BOOKINGS, source="phone") + 1
