"""The phone agent's tools through their HTTP endpoints, signed as Retell signs them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from phasebook.booking.models import Appointment, AppointmentSource, AppointmentStatus
from phasebook.phone.models import Call, CallAppointment, CallbackRequest
from phasebook.phone.tools.availability import CALLER_PLACEHOLDER
from phasebook.salons.models import Customer
from tests.factories import make_customer, next_weekday
from tests.support.retell import phone_call

CALLER = "+4915112345678"


def _day(when: datetime) -> str:
    return when.date().isoformat()


def _tool(salon: SimpleNamespace, name: str, args: dict[str, Any], **call: Any) -> dict[str, Any]:
    response = salon.retell.tool(name, args, phone_call(**call))
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def wednesday() -> datetime:
    return next_weekday(timezone.now(), weekday=2, hour=10)


def test_list_services_names_minutes_and_processing_time(retell_salon: SimpleNamespace) -> None:
    reply = _tool(retell_salon, "list_services", {})
    assert reply["ok"] is True
    assert {
        service["name"]: (service["total_minutes"], service["has_processing_time"])
        for service in reply["services"]
    } == {
        "Ansatzfärbung": (160, True),
        "Herrenhaarschnitt": (30, False),
    }
    assert reply["message"].startswith("Wir bieten an: ")


def test_a_free_start_is_held_exactly_as_asked(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    reply = _tool(
        retell_salon,
        "check_availability",
        {"service": "ansatzfaerbung", "date": _day(wednesday), "time": "um 10"},
    )
    assert (reply["ok"], reply["available"]) == (True, True)
    assert reply["requested_start"] == wednesday.isoformat()
    assert reply["slot"]["start"] == wednesday.isoformat()
    hold = Appointment.objects.get(pk=reply["hold_id"])
    assert (hold.status, hold.source, hold.start) == (
        AppointmentStatus.HELD,
        AppointmentSource.PHONE,
        wednesday,
    )
    assert "10 Uhr ist frei" in reply["message"]


def test_a_taken_start_is_explained_with_nearest_alternatives_never_as_the_request(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    for stylist in ("Anna", "Ben"):
        _tool(
            retell_salon,
            "check_availability",
            {
                "service": "Herrenhaarschnitt",
                "date": _day(wednesday),
                "time": "10:00",
                "staff": stylist,
            },
            call_id=f"other_{stylist}",
            from_number=f"+4917000000{len(stylist)}",
        )
    reply = _tool(
        retell_salon,
        "check_availability",
        {"service": "Herrenhaarschnitt", "date": _day(wednesday), "time": "10:00"},
    )
    assert (reply["ok"], reply["available"]) == (True, False)
    assert reply["requested_start"] == wednesday.isoformat()
    assert "hold_id" not in reply
    assert 1 <= len(reply["alternatives"]) <= 3
    assert all(slot["start"] != wednesday.isoformat() for slot in reply["alternatives"])
    assert "vergeben" in reply["message"]
    assert "Frei wäre" in reply["message"]


def test_a_closed_day_is_explained_and_the_next_open_days_are_offered(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    sunday = wednesday + timedelta(days=4)
    reply = _tool(
        retell_salon,
        "check_availability",
        {"service": "Herrenhaarschnitt", "date": _day(sunday), "time": "11"},
    )
    assert reply["available"] is False
    assert "geschlossen" in reply["message"]
    assert reply["alternatives"]
    assert all(slot["start"][:10] > _day(sunday) for slot in reply["alternatives"])


def test_a_day_without_a_time_offers_starts_spread_over_it_and_holds_nothing(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    reply = _tool(
        retell_salon,
        "check_availability",
        {"service": "Herrenhaarschnitt", "date": _day(wednesday), "time": "vormittags"},
    )
    assert (reply["available"], reply["requested_date"]) == (True, _day(wednesday))
    starts = [slot["start"] for slot in reply["alternatives"]]
    assert len(starts) == 3
    assert starts == sorted(starts)
    assert all(_day(wednesday) in start and "T09" <= start[10:13] <= "T11" for start in starts)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({"service": "Maniküre", "date": "morgen"}, "unknown_service"),
        ({"service": "Ansatzfärbung", "date": "irgendwann"}, "unclear"),
        ({"service": "Ansatzfärbung", "date": "nächste Woche"}, "weekday_missing"),
        ({"service": "Ansatzfärbung", "date": "morgen", "staff": "Bernd"}, "unknown_staff"),
        ({"date": "morgen"}, "invalid_arguments"),
    ],
)
def test_what_cannot_be_read_exactly_is_asked_back(
    retell_salon: SimpleNamespace, args: dict[str, str], error: str
) -> None:
    reply = _tool(retell_salon, "check_availability", args)
    assert (reply["ok"], reply["error"]) == (False, error)
    assert reply["message"]
    assert not Appointment.objects.exists()


def test_booking_the_hold_books_it_with_the_name_the_caller_said(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    held = _tool(
        retell_salon,
        "check_availability",
        {"service": "Ansatzfärbung", "date": _day(wednesday), "time": "10"},
    )
    assert not Customer.objects.exists()  # a hold only keeps the caller's number
    booked = _tool(
        retell_salon,
        "book_appointment",
        {"hold_id": held["hold_id"], "customer_name": "Paula Berg"},
    )
    assert booked["ok"] is True
    assert booked["appointment_id"] == held["hold_id"]
    assert (booked["start"], len(booked["phases"])) == (wednesday.isoformat(), 5)
    appointment = Appointment.objects.get(pk=booked["appointment_id"])
    assert appointment.status == AppointmentStatus.BOOKED
    assert (appointment.customer.name, appointment.customer.phone) == ("Paula Berg", CALLER)
    assert booked["message"].startswith("Gebucht: Ansatzfärbung am ")


def test_a_known_customers_name_is_not_changed_by_what_the_agent_heard(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    make_customer(retell_salon.company, "Paula Berg", CALLER)
    held = _tool(
        retell_salon,
        "check_availability",
        {"service": "Herrenhaarschnitt", "date": _day(wednesday), "time": "10"},
    )
    _tool(
        retell_salon, "book_appointment", {"hold_id": held["hold_id"], "customer_name": "Paul Burg"}
    )
    assert Customer.objects.get(phone=CALLER).name == "Paula Berg"


def test_a_customer_left_with_the_placeholder_by_an_old_hold_gets_the_name_said(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    # Holds made before holds stopped creating customers left these behind.
    make_customer(retell_salon.company, CALLER_PLACEHOLDER, CALLER)
    held = _tool(
        retell_salon,
        "check_availability",
        {"service": "Herrenhaarschnitt", "date": _day(wednesday), "time": "10"},
    )
    _tool(
        retell_salon,
        "book_appointment",
        {"hold_id": held["hold_id"], "customer_name": "Paula Berg", "customer_email": "P@x.de"},
    )
    paula = Customer.objects.get(phone=CALLER)
    assert (paula.name, paula.email) == ("Paula Berg", "p@x.de")


def test_a_hold_of_another_caller_cannot_be_booked(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    held = _tool(
        retell_salon,
        "check_availability",
        {"service": "Herrenhaarschnitt", "date": _day(wednesday), "time": "10"},
    )
    reply = _tool(
        retell_salon,
        "book_appointment",
        {"hold_id": held["hold_id"], "customer_name": "Eve"},
        call_id="call_2",
        from_number="+4917099999999",
    )
    assert (reply["ok"], reply["error"]) == (False, "hold_not_found")
    assert Appointment.objects.get(pk=held["hold_id"]).status == AppointmentStatus.HELD


def test_booking_directly_uses_the_callers_number(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    reply = _tool(
        retell_salon,
        "book_appointment",
        {
            "service": "Herrenhaarschnitt",
            "date": _day(wednesday),
            "time": "halb elf",
            "customer_name": "Paula Berg",
        },
    )
    assert reply["ok"] is True
    assert reply["start"] == (wednesday + timedelta(minutes=30)).isoformat()
    assert Appointment.objects.get(pk=reply["appointment_id"]).customer.phone == CALLER


def test_the_same_call_repeating_the_same_booking_gets_the_same_appointment(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    args = {
        "service": "Herrenhaarschnitt",
        "date": _day(wednesday),
        "time": "10",
        "customer_name": "Paula Berg",
    }
    first = _tool(retell_salon, "book_appointment", args)
    again = _tool(retell_salon, "book_appointment", args)
    assert first == again
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 1


def _book(salon: SimpleNamespace, when: datetime, number: str = CALLER) -> str:
    reply = _tool(
        salon,
        "book_appointment",
        {
            "service": "Herrenhaarschnitt",
            "date": _day(when),
            "time": when.strftime("%H:%M"),
            "customer_name": "Paula Berg",
        },
        call_id=f"book_{when:%d%H%M}_{number[-3:]}",
        from_number=number,
    )
    assert reply["ok"], reply
    return reply["appointment_id"]


def test_the_caller_hears_their_own_appointments_only(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    mine = _book(retell_salon, wednesday)
    _book(retell_salon, wednesday + timedelta(hours=2), number="+4917011111111")
    reply = _tool(retell_salon, "get_customer_appointments", {}, call_id="call_3")
    assert [item["appointment_id"] for item in reply["appointments"]] == [mine]
    assert reply["message"].startswith("Sie haben einen Termin: Herrenhaarschnitt am ")


def test_a_caller_cancels_their_appointment_by_its_day(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    mine = _book(retell_salon, wednesday)
    reply = _tool(retell_salon, "cancel_appointment", {"date": _day(wednesday)}, call_id="call_3")
    assert (reply["ok"], reply["appointment_id"]) == (True, mine)
    assert Appointment.objects.get(pk=mine).status == AppointmentStatus.CANCELLED


def test_nobody_cancels_someone_elses_appointment_by_naming_its_day_or_id(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    theirs = _book(retell_salon, wednesday, number="+4917011111111")
    _book(retell_salon, wednesday + timedelta(days=1))
    for args in ({"date": _day(wednesday)}, {"appointment_id": theirs}):
        reply = _tool(retell_salon, "cancel_appointment", args, call_id="call_3")
        assert (reply["ok"], reply["error"]) == (False, "no_appointment")
    assert Appointment.objects.get(pk=theirs).status == AppointmentStatus.BOOKED


def test_a_withheld_number_gets_a_callback_request_and_a_polite_answer(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    _book(retell_salon, wednesday)
    for tool in ("get_customer_appointments", "cancel_appointment"):
        reply = _tool(
            retell_salon, tool, {"date": "morgen"}, call_id="call_4", from_number="anonymous"
        )
        assert (reply["ok"], reply["error"]) == (False, "number_withheld")
        assert "Rückrufwunsch" in reply["message"]
    requests = CallbackRequest.objects.filter(call__call_id="call_4").order_by("tool")
    assert [request.tool for request in requests] == [
        "cancel_appointment",
        "get_customer_appointments",
    ]
    assert Appointment.objects.get().status == AppointmentStatus.BOOKED


def test_what_postgresql_cannot_store_is_dropped_from_a_tools_arguments(
    retell_salon: SimpleNamespace,
) -> None:
    args = {"date": "morgen\u0000", "time": "um 10\u0000"}
    call = phone_call(call_id="call_5", from_number="anonymous")
    body = {"name": "reschedule_appointment", "args": args, "call": call}
    escaped = json.dumps(body)  # JSON may say "\u0000"; PostgreSQL's text cannot hold it

    response = retell_salon.retell.post("functions/reschedule_appointment", None, raw=escaped)

    assert response.json()["error"] == "number_withheld"
    request = CallbackRequest.objects.get(call__call_id="call_5")
    assert request.details == {"date": "morgen", "time": "um 10"}


def test_a_caller_moves_their_appointment(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    mine = _book(retell_salon, wednesday)
    thursday = wednesday + timedelta(days=1, hours=4)
    reply = _tool(
        retell_salon,
        "reschedule_appointment",
        {"date": _day(thursday), "time": "14 Uhr"},
        call_id="call_3",
    )
    assert (reply["ok"], reply["appointment_id"], reply["start"]) == (
        True,
        mine,
        thursday.isoformat(),
    )
    assert Appointment.objects.get(pk=mine).start == thursday


def test_moving_onto_a_taken_time_offers_alternatives(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    mine = _book(retell_salon, wednesday)
    later = wednesday + timedelta(hours=3)
    _book(retell_salon, later, number="+4917011111111")
    _book(retell_salon, later, number="+4917022222222")
    reply = _tool(
        retell_salon,
        "reschedule_appointment",
        {"date": _day(later), "time": later.strftime("%H:%M")},
        call_id="call_3",
    )
    assert (reply["ok"], reply["error"], reply["available"]) == (False, "slot_taken", False)
    assert reply["alternatives"]
    assert Appointment.objects.get(pk=mine).start == wednesday


def test_an_unknown_tool_or_unreadable_request_is_a_spoken_refusal_not_a_5xx(
    retell_salon: SimpleNamespace,
) -> None:
    unknown = retell_salon.retell.tool("delete_everything", {})
    assert unknown.status_code == 200
    assert (unknown.json()["ok"], unknown.json()["error"]) == (False, "unknown_tool")
    for raw in ("[1, 2]", "{not json", '{"args": "x", "call": {}}'):
        response = retell_salon.retell.post("functions/check_availability", None, raw=raw)
        assert response.status_code == 200
        assert response.json()["ok"] is False


def test_an_args_only_body_works_without_a_call(retell_salon: SimpleNamespace) -> None:
    response = retell_salon.retell.post("functions/list_services", {})
    assert response.json()["ok"] is True
    appointments = retell_salon.retell.post("functions/get_customer_appointments", {}).json()
    assert appointments["error"] == "number_withheld"


def test_a_tool_request_records_its_call(retell_salon: SimpleNamespace) -> None:
    _tool(retell_salon, "list_services", {}, call_id="call_9")
    call = Call.objects.get(company=retell_salon.company, call_id="call_9")
    assert (call.from_number, call.status) == (CALLER, "ongoing")


def test_what_a_call_holds_books_moves_and_cancels_is_linked_to_it(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    held = _tool(
        retell_salon,
        "check_availability",
        {"service": "Herrenhaarschnitt", "date": _day(wednesday), "time": "10"},
    )
    _tool(retell_salon, "book_appointment", {"hold_id": held["hold_id"], "customer_name": "Paula"})
    _tool(
        retell_salon,
        "reschedule_appointment",
        {"date": _day(wednesday), "time": "14 Uhr"},
        call_id="call_2",
    )
    _tool(retell_salon, "cancel_appointment", {}, call_id="call_2")
    links = CallAppointment.objects.order_by("id").values_list(
        "call__call_id", "appointment", "action"
    )
    assert [(call_id, str(appointment), action) for call_id, appointment, action in links] == [
        ("call_1", held["hold_id"], "held"),
        ("call_1", held["hold_id"], "booked"),
        ("call_2", held["hold_id"], "rescheduled"),
        ("call_2", held["hold_id"], "cancelled"),
    ]
