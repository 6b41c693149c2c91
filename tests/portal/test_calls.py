"""Anrufe: the call list and the call page, in the salon's time and words."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from django.test import Client

from phasebook.phone.models import Call

CALLS = "/admin/phone/call/"


def make_call(company, call_id: str = "call_1", **fields) -> Call:
    values = {
        "from_number": "+4917612345601",
        "to_number": "+4930123456",
        "status": "ended",
        "start": datetime(2026, 12, 9, 9, 5, tzinfo=UTC),  # 10:05 in Berlin
        "duration_ms": 125_000,
        "summary": "Kundin bucht eine Ansatzfärbung am Mittwoch um 10 Uhr.",
        "sentiment": "Positive",
        "successful": True,
        "transcript": "Agent: Salon A, guten Tag.\nUser: Ich hätte gern einen Termin.",
    }
    return Call.objects.create(company=company, call_id=call_id, **(values | fields))


def test_the_call_list_shows_time_caller_duration_and_status(
    portal: Client, salon: SimpleNamespace
) -> None:
    make_call(salon.company)

    page = portal.get(CALLS).content.decode()

    assert "09.12.2026 10:05" in page
    assert "+4917612345601" in page
    assert "2:05 min" in page
    assert "beendet" in page


def test_the_call_page_shows_summary_sentiment_and_transcript(
    portal: Client, salon: SimpleNamespace
) -> None:
    call = make_call(salon.company)

    page = portal.get(f"{CALLS}{call.pk}/change/").content.decode()

    assert "Kundin bucht eine Ansatzfärbung" in page
    assert "positiv" in page
    assert "Ich hätte gern einen Termin." in page
    assert 'name="_save"' not in page


def test_a_transcript_removed_after_retention_says_so(
    portal: Client, salon: SimpleNamespace
) -> None:
    call = make_call(salon.company, transcript="", personal_data_removed_at=datetime.now(UTC))

    page = portal.get(f"{CALLS}{call.pk}/change/").content.decode()

    assert "Nach der Aufbewahrungsfrist gelöscht." in page


def test_another_salons_calls_are_out_of_reach(
    portal: Client, salon: SimpleNamespace, other_salon: SimpleNamespace
) -> None:
    foreign = make_call(other_salon.company, "call_foreign", from_number="+4917699999999")

    assert "+4917699999999" not in portal.get(CALLS).content.decode()
    assert portal.get(f"{CALLS}{foreign.pk}/change/").status_code == 302


def test_a_call_shows_the_segments_it_booked(portal: Client, salon: SimpleNamespace) -> None:
    from phasebook.phone.models import CallAppointment
    from tests.support.booking import a_wednesday, book_at

    call = make_call(salon.company)
    colour = book_at(salon.company, salon.colour, salon.anna, a_wednesday(10), "Maria Berger")
    colour.phases.filter(segment_key="A").update(
        calcom_sync_status="synced", calcom_booking_id=4711
    )
    CallAppointment.objects.create(
        company=salon.company, call=call, appointment=colour, action="held"
    )
    CallAppointment.objects.create(
        company=salon.company, call=call, appointment=colour, action="booked"
    )

    listing = portal.get(CALLS).content.decode()
    page = portal.get(f"{CALLS}{call.pk}/change/").content.decode()

    assert "Ansatzfärbung (4 Segmente)" in listing
    assert listing.count("Ansatzfärbung (4 Segmente)") == 1  # held, then booked: one appointment
    for key in ("A", "GAP_A", "B", "C", "D"):
        assert f'data-segment="{key}"' in page
    assert 'data-copy="4711"' in page
    assert "10:00" in page


def test_the_call_list_costs_the_same_queries_for_one_or_many_calls(
    portal: Client, salon: SimpleNamespace
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from phasebook.phone.models import CallAppointment
    from tests.support.booking import a_wednesday, book_at

    def call_with_booking(number: int) -> None:
        call = make_call(salon.company, f"call_{number}")
        start = a_wednesday(9 + number)
        appointment = book_at(salon.company, salon.cut, salon.ben, start, f"K{number}")
        CallAppointment.objects.create(
            company=salon.company, call=call, appointment=appointment, action="booked"
        )

    call_with_booking(0)
    portal.get(CALLS)
    with CaptureQueriesContext(connection) as one:
        portal.get(CALLS)
    for number in range(1, 6):
        call_with_booking(number)
    with CaptureQueriesContext(connection) as many:
        portal.get(CALLS)

    assert len(many) == len(one)
