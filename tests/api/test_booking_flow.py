"""The booking API end to end: hold, confirm, book, reschedule, cancel, explain."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import next_weekday


def _book(api, salon, start, service=None, staff=None, customer="Paul Klaus"):
    body = {
        "service_id": (service or salon.colour).pk,
        "start": start.isoformat(),
        "customer": {"name": customer},
    }
    if staff is not None:
        body["staff_id"] = str(staff.pk)
    return api.post("/appointments", body)


def test_booking_a_colour_creates_exactly_its_five_phases(api, salon):
    start = next_weekday(timezone.now())
    response = _book(api, salon, start, staff=salon.anna)
    assert response.status_code == 201, response.content
    body = response.json()
    assert [phase["segment_key"] for phase in body["phases"]] == ["A", "GAP_A", "B", "C", "D"]
    assert [phase["sequence_order"] for phase in body["phases"]] == [1, 2, 3, 4, 5]
    assert body["phases"][0]["start_time"] == start.isoformat()
    assert body["end"] == (start + timedelta(minutes=160)).isoformat()
    assert body["status"] == "booked"


def test_a_cut_fits_into_the_processing_time_of_a_colour(api, salon):
    start = next_weekday(timezone.now())
    assert _book(api, salon, start, staff=salon.anna).status_code == 201
    cut = _book(
        api,
        salon,
        start + timedelta(minutes=30),
        service=salon.cut,
        staff=salon.anna,
        customer="Eva",
    )
    assert cut.status_code == 201, cut.content


def test_a_cut_overlapping_the_application_is_refused_with_alternatives(api, salon):
    start = next_weekday(timezone.now())
    assert _book(api, salon, start, staff=salon.anna).status_code == 201
    response = api.post(
        "/appointments",
        {
            "service_id": salon.cut.pk,
            "start": (start + timedelta(minutes=15)).isoformat(),
            "staff_id": str(salon.anna.pk),
            "customer": {"name": "Eva"},
        },
    )
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "slot_taken"
    assert 1 <= len(body["alternatives"]) <= 3
    assert all(slot["staff_id"] == str(salon.anna.pk) for slot in body["alternatives"])


def test_a_hold_blocks_the_stylist_until_it_is_confirmed(api, salon):
    start = next_weekday(timezone.now())
    hold = api.post(
        "/holds",
        {
            "service_id": salon.cut.pk,
            "start": start.isoformat(),
            "staff_id": str(salon.anna.pk),
            "customer": {"name": "Eva"},
        },
    )
    assert hold.status_code == 201
    assert hold.json()["status"] == "held"
    assert hold.json()["expires_at"]
    blocked = _book(api, salon, start, service=salon.cut, staff=salon.anna)
    assert blocked.status_code == 409
    confirmed = api.post("/appointments", {"hold_id": hold.json()["id"]})
    assert confirmed.status_code == 201
    assert confirmed.json()["status"] == "booked"
    assert confirmed.json()["id"] == hold.json()["id"]


def test_an_expired_hold_never_blocks_anyone(api, salon, settings):
    from phasebook.booking.models import Appointment

    start = next_weekday(timezone.now())
    hold = api.post(
        "/holds",
        {
            "service_id": salon.cut.pk,
            "start": start.isoformat(),
            "staff_id": str(salon.anna.pk),
            "customer": {"name": "Eva"},
        },
    )
    Appointment.objects.filter(pk=hold.json()["id"]).update(
        hold_expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = _book(api, salon, start, service=salon.cut, staff=salon.anna)
    assert response.status_code == 201
    assert Appointment.objects.get(pk=hold.json()["id"]).status == "expired"


def test_rescheduling_moves_every_phase_and_keeps_their_identity(api, salon):
    start = next_weekday(timezone.now())
    booked = _book(api, salon, start, staff=salon.anna).json()
    later = start + timedelta(minutes=45)
    moved = api.post(f"/appointments/{booked['id']}/reschedule", {"start": later.isoformat()})
    assert moved.status_code == 200, moved.content
    before = {phase["segment_key"]: phase for phase in booked["phases"]}
    for phase in moved.json()["phases"]:
        assert phase["id"] == before[phase["segment_key"]]["id"]
    assert moved.json()["phases"][0]["start_time"] == later.isoformat()


def test_cancelling_frees_the_stylist_and_is_idempotent(api, salon):
    start = next_weekday(timezone.now())
    booked = _book(api, salon, start, staff=salon.anna).json()
    first = api.post(f"/appointments/{booked['id']}/cancel", {"reason": "krank"})
    second = api.post(f"/appointments/{booked['id']}/cancel")
    assert first.json()["status"] == second.json()["status"] == "cancelled"
    assert _book(api, salon, start, staff=salon.anna).status_code == 201


def test_explain_names_rule_phase_and_conflicting_interval_in_german(api, salon):
    start = next_weekday(timezone.now())
    _book(api, salon, start, service=salon.cut, staff=salon.anna)
    colour_start = start - timedelta(minutes=15)  # its application would overlap the cut
    response = api.get(
        "/explain",
        service=salon.colour.pk,
        start=colour_start.isoformat(),
        staff=str(salon.anna.pk),
    )
    body = response.json()
    assert response.status_code == 200
    assert body["possible"] is False
    reason = body["staff"][0]["reasons"][0]
    assert reason["rule"] == "staff_busy"
    assert reason["phase"]["segment_key"] == "A"
    assert reason["conflicting_interval"]["start"] == start.isoformat()
    assert "überschneidet sich" in reason["message"]


def test_availability_agrees_with_explain(api, salon):
    start = next_weekday(timezone.now())
    slots = api.get(
        "/availability",
        service=salon.colour.pk,
        staff=str(salon.anna.pk),
        **{"from": start.isoformat(), "to": (start + timedelta(days=1)).isoformat()},
    )
    assert slots.status_code == 200
    for slot in slots.json()["results"][:5]:
        verdict = api.get(
            "/explain", service=salon.colour.pk, start=slot["start"], staff=slot["staff_id"]
        )
        assert verdict.json()["possible"] is True


def test_an_appointment_reads_back_its_history_with_the_token_that_made_each_change(api, salon):
    start = next_weekday(timezone.now())
    booked = _book(api, salon, start, staff=salon.anna).json()
    later = start + timedelta(hours=2)
    api.post(f"/appointments/{booked['id']}/reschedule", {"start": later.isoformat()})
    api.post(f"/appointments/{booked['id']}/cancel", {"reason": "krank"})

    history = api.get(f"/appointments/{booked['id']}").json()["history"]

    assert [
        (event["kind"], event["actor"]["kind"], event["actor"]["label"]) for event in history
    ] == [("booked", "api", "test"), ("moved", "api", "test"), ("cancelled", "api", "test")]
    booked_event, moved, cancelled = history
    assert booked_event["to_start"] == start.isoformat()
    assert (moved["from_start"], moved["to_start"]) == (start.isoformat(), later.isoformat())
    assert (cancelled["note"], cancelled["description"]) == ("krank", "Storniert: krank")


def _reads_of_the_appointment_row(queries: CaptureQueriesContext) -> list[str]:
    """Read at once: the next request of the test client empties the connection's log."""
    return _reads_of(queries, "booking_appointment")


def _reads_of(queries: CaptureQueriesContext, table: str) -> list[str]:
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith(f'SELECT "{table}"."id"')
    ]


def test_a_booking_answers_as_stored_without_reading_its_row_back(api, salon):
    start = next_weekday(timezone.now())
    with CaptureQueriesContext(connection) as queries:
        booked = _book(api, salon, start, service=salon.cut)
    # The write kept the row as it saved it, with its company, service, stylist, customer,
    # and the event it wrote: a new appointment's whole history.
    assert _reads_of_the_appointment_row(queries) == []
    assert _reads_of(queries, "booking_appointmentevent") == []
    assert booked.status_code == 201, booked.content
    assert [event["kind"] for event in booked.json()["history"]] == ["booked"]
    assert booked.json() == api.get(f"/appointments/{booked.json()['id']}").json()


def test_a_confirmed_hold_answers_with_its_whole_history(api, salon):
    """A confirmation writes no new appointment: its answer reads the hold's history."""
    body = {
        "service_id": salon.cut.pk,
        "start": next_weekday(timezone.now()).isoformat(),
        "customer": {"name": "Eva"},
    }
    hold = api.post("/holds", body).json()
    confirmed = api.post("/appointments", {"hold_id": hold["id"]})
    assert confirmed.status_code == 201, confirmed.content
    assert [event["kind"] for event in confirmed.json()["history"]] == ["held", "confirmed"]


def test_a_hold_and_its_confirmation_answer_as_stored(api, salon):
    body = {
        "service_id": salon.cut.pk,
        "start": next_weekday(timezone.now()).isoformat(),
        "customer": {"name": "Eva"},
    }
    with CaptureQueriesContext(connection) as queries:
        hold = api.post("/holds", body)
    assert _reads_of_the_appointment_row(queries) == []
    assert _reads_of(queries, "booking_appointmentevent") == []
    assert hold.status_code == 201, hold.content
    assert hold.json() == api.get(f"/appointments/{hold.json()['id']}").json()

    confirmed = api.post("/appointments", {"hold_id": hold.json()["id"]})
    assert confirmed.status_code == 201, confirmed.content
    assert confirmed.json()["status"] == "booked"
    assert confirmed.json() == api.get(f"/appointments/{hold.json()['id']}").json()
