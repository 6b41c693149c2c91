"""A call's holds and the salon's limits as the phone agent meets them: each new time the
caller is offered replaces the call's earlier offers, a refused time keeps them, and a
caller over a limit hears why and when to try again (never the generic apology)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from phasebook.booking.holds import REPLACED
from phasebook.booking.models import (
    ActorKind,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    EventKind,
)
from tests.factories import next_weekday, set_limits
from tests.support.retell import phone_call

CUT = "Herrenhaarschnitt"


@pytest.fixture
def wednesday() -> datetime:
    return next_weekday(timezone.now(), weekday=2, hour=10)


def _check(
    salon: SimpleNamespace, day: datetime, time: str, staff: str | None = None, **call: Any
) -> dict[str, Any]:
    args = {"service": CUT, "date": day.date().isoformat(), "time": time}
    if staff:
        args["staff"] = staff
    response = salon.retell.tool("check_availability", args, phone_call(**call))
    assert response.status_code == 200
    return response.json()


def _live_holds(salon: SimpleNamespace) -> list[Appointment]:
    return list(
        Appointment.objects.filter(
            company=salon.company, status=AppointmentStatus.HELD, hold_expires_at__gt=timezone.now()
        ).order_by("start")
    )


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


def test_each_time_a_caller_is_offered_replaces_the_calls_earlier_offer(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    replies = [_check(retell_salon, wednesday, time) for time in ("um 10", "um 12", "um 14")]

    assert [(reply["ok"], reply["available"]) for reply in replies] == [(True, True)] * 3
    assert [str(hold.pk) for hold in _live_holds(retell_salon)] == [replies[-1]["hold_id"]]
    assert [hold.start for hold in _live_holds(retell_salon)] == [wednesday + timedelta(hours=4)]
    released = Appointment.objects.filter(pk__in=[reply["hold_id"] for reply in replies[:2]])
    assert {hold.status for hold in released} == {AppointmentStatus.CANCELLED}
    # Each release is in the hold's history, by the call that moved on.
    events = AppointmentEvent.objects.filter(
        appointment__in=released, kind=EventKind.CANCELLED
    ).values_list("actor_kind", "actor_call_id", "note")
    assert list(events) == [(ActorKind.PHONE, "call_1", REPLACED)] * 2


def test_a_caller_moving_half_an_hour_with_the_same_stylist_is_not_in_their_own_way(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    first = _check(retell_salon, wednesday, "um 10", staff="Anna")
    later = _check(retell_salon, wednesday, "10:15", staff="Anna")

    assert (later["available"], later["slot"]["staff_name"]) == (True, "Anna")
    assert later["slot"]["start"] == (wednesday + timedelta(minutes=15)).isoformat()
    assert Appointment.objects.get(pk=first["hold_id"]).status == AppointmentStatus.CANCELLED
    assert [str(hold.pk) for hold in _live_holds(retell_salon)] == [later["hold_id"]]


# Without the test's own transaction around the request, as in production: a refused try
# must roll back the release it made, not commit it.
@pytest.mark.django_db(transaction=True)
def test_a_time_that_is_not_free_keeps_the_offer_the_caller_had(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    two = wednesday + timedelta(hours=4)
    for stylist in ("Anna", "Ben"):  # other callers hold 14:00 with both stylists
        _check(
            retell_salon,
            two,
            "14:00",
            staff=stylist,
            call_id=f"other_{stylist}",
            from_number=f"+4917000000{len(stylist)}",
        )
    _check(retell_salon, wednesday, "um 10")
    noon = _check(retell_salon, wednesday, "um 12")

    refused = _check(retell_salon, two, "14:00")

    assert (refused["ok"], refused["available"]) == (True, False)
    own = [hold for hold in _live_holds(retell_salon) if hold.placed_by == "call:call_1"]
    assert [str(hold.pk) for hold in own] == [noon["hold_id"]]


def test_a_retry_gets_the_first_answer_and_a_time_asked_again_after_moving_on_is_held_anew(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    first = _check(retell_salon, wednesday, "um 10")
    assert _check(retell_salon, wednesday, "um 10") == first  # Retell's retry: replayed
    _check(retell_salon, wednesday, "um 12")

    again = _check(retell_salon, wednesday, "um 10")

    assert again["available"] is True
    assert again["hold_id"] != first["hold_id"]  # not the released hold, replayed
    assert [str(hold.pk) for hold in _live_holds(retell_salon)] == [again["hold_id"]]


def test_a_cap_of_one_hold_per_caller_still_lets_the_call_move_on(
    retell_salon: SimpleNamespace, wednesday: datetime
) -> None:
    set_limits(retell_salon.company, live_holds_per_caller=1, live_holds_per_client=1)

    replies = [_check(retell_salon, wednesday, time) for time in ("um 10", "um 12")]

    assert [reply["available"] for reply in replies] == [True, True]
    assert [str(hold.pk) for hold in _live_holds(retell_salon)] == [replies[-1]["hold_id"]]


def test_a_caller_over_the_hold_cap_hears_when_to_try_again(
    retell_salon: SimpleNamespace, wednesday: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    set_limits(retell_salon.company, live_holds_per_caller=1)
    _check(retell_salon, wednesday, "um 10", call_id="earlier_call")  # same number

    reply = _check(retell_salon, wednesday, "um 12", call_id="this_call")

    assert (reply["ok"], reply["error"]) == (False, "rate_limited")
    assert reply["message"] == (
        "Zu viele Reservierungen gleichzeitig. Bitte versuchen Sie es in etwa 5 Minuten "
        "noch einmal."
    )
    assert _errors(caplog) == []
    assert len(_live_holds(retell_salon)) == 1


def test_a_caller_over_the_write_rate_hears_it_and_the_same_request_runs_after_the_wait(
    retell_salon: SimpleNamespace, wednesday: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    set_limits(retell_salon.company, caller_writes_per_hour=1)
    _check(retell_salon, wednesday, "um 10")

    reply = _check(retell_salon, wednesday, "um 12")

    assert (reply["ok"], reply["error"]) == (False, "rate_limited")
    assert reply["message"].startswith("Zu viele Buchungen und Reservierungen in kurzer Zeit. ")
    assert reply["message"].endswith("Bitte versuchen Sie es in etwa einer Stunde noch einmal.")
    assert _errors(caplog) == []
    # The refusal is not kept as the request's answer: after the wait, it runs.
    set_limits(retell_salon.company, caller_writes_per_hour=10)
    assert _check(retell_salon, wednesday, "um 12")["available"] is True


def test_a_direct_booking_over_the_write_rate_is_refused_in_words(
    retell_salon: SimpleNamespace, wednesday: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    set_limits(retell_salon.company, caller_writes_per_hour=1)
    _check(retell_salon, wednesday, "um 10")
    args = {
        "service": CUT,
        "date": wednesday.date().isoformat(),
        "time": "um 12",
        "customer_name": "Maria Muster",
    }

    response = retell_salon.retell.tool("book_appointment", args, phone_call())

    assert response.status_code == 200
    assert (response.json()["ok"], response.json()["error"]) == (False, "rate_limited")
    assert _errors(caplog) == []
    assert not Appointment.objects.filter(status=AppointmentStatus.BOOKED).exists()
