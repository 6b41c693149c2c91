"""Every change of an appointment leaves one event, with its actor, in the change's own
transaction; a refused change leaves none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.errors import SlotTaken
from phasebook.booking.events import Actor
from phasebook.booking.models import AppointmentEvent, EventKind
from phasebook.booking.rendering import render_history
from phasebook.booking.services import (
    BookingRequest,
    book_appointment,
    cancel_appointment,
    confirm_hold,
    hold_appointment,
    reschedule_appointment,
)
from phasebook.booking.signals import appointment_changed
from phasebook.salons.models import ApiToken
from tests.factories import ACTOR, BERLIN

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday morning
TEN = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)  # that Wednesday, 10:00
PHONE = Actor.phone("call_5f1c0e")


def _cut(salon: SimpleNamespace, start: datetime = TEN, name: str = "Paul") -> BookingRequest:
    return BookingRequest(salon.cut.pk, start, CustomerDetails(name), str(salon.anna.pk))


def _kinds(appointment_id: object) -> list[str]:
    return list(
        AppointmentEvent.objects.filter(appointment_id=appointment_id).values_list(
            "kind", flat=True
        )
    )


def test_booked_moved_restaffed_and_cancelled_each_say_who_and_what(
    salon: SimpleNamespace,
) -> None:
    owner = User.objects.create_user("inhaberin")
    token = ApiToken.objects.get(company=salon.company)
    booked = book_appointment(salon.company, _cut(salon), actor=PHONE, now=NOW)
    reschedule_appointment(
        salon.company, booked.pk, TEN + timedelta(hours=1), actor=Actor.api(token), now=NOW
    )
    reschedule_appointment(
        salon.company,
        booked.pk,
        TEN + timedelta(hours=1),
        str(salon.ben.pk),
        actor=Actor.admin(owner),
        now=NOW,
    )
    cancel_appointment(salon.company, booked.pk, "krank", actor=Actor.admin(owner), now=NOW)

    history = [
        (event.kind, event.actor_kind, event.actor_label, event.actor_call_id)
        for event in AppointmentEvent.objects.filter(appointment=booked)
    ]
    assert history == [
        ("booked", "phone", "call_5f1c0e", "call_5f1c0e"),
        ("moved", "api", "test", ""),
        ("staff_changed", "admin", "inhaberin", ""),
        ("cancelled", "admin", "inhaberin", ""),
    ]
    moved, restaffed, cancelled = AppointmentEvent.objects.filter(appointment=booked)[1:]
    assert (moved.from_start, moved.to_start) == (TEN, TEN + timedelta(hours=1))
    assert (restaffed.from_staff, restaffed.to_staff) == (salon.anna, salon.ben)
    assert cancelled.note == "krank"
    assert (moved.actor_token, cancelled.actor_user) == (token, owner)


def test_the_history_reads_as_sentences_in_the_salons_time(salon: SimpleNamespace) -> None:
    booked = book_appointment(salon.company, _cut(salon), actor=PHONE, now=NOW)
    reschedule_appointment(
        salon.company,
        booked.pk,
        TEN + timedelta(hours=1),
        str(salon.ben.pk),
        actor=ACTOR,
        now=NOW,
    )
    cancel_appointment(salon.company, booked.pk, actor=ACTOR, now=NOW)

    assert [event.description for event in render_history(booked)] == [
        "Gebucht für 04.03.2026, 10:00 bei Anna.",
        "Verschoben von 04.03.2026, 10:00 auf 04.03.2026, 11:00 und von Anna zu Ben.",
        "Storniert.",
    ]


def test_a_move_to_another_time_and_stylist_is_one_event_with_both(
    salon: SimpleNamespace,
) -> None:
    booked = book_appointment(salon.company, _cut(salon), actor=PHONE, now=NOW)
    later, ben = TEN + timedelta(hours=1), str(salon.ben.pk)
    reschedule_appointment(salon.company, booked.pk, later, ben, actor=ACTOR, now=NOW)

    (moved,) = AppointmentEvent.objects.filter(appointment=booked).exclude(kind=EventKind.BOOKED)
    assert (moved.kind, moved.from_start, moved.to_start) == (EventKind.MOVED, TEN, later)
    assert (moved.from_staff, moved.to_staff) == (salon.anna, salon.ben)
    assert moved.absence is None  # a move of its own, not an absence's repair


def test_a_hold_is_held_then_confirmed(salon: SimpleNamespace) -> None:
    hold = hold_appointment(salon.company, _cut(salon), actor=PHONE, now=NOW)
    confirm_hold(salon.company, hold.pk, actor=PHONE, now=NOW)
    confirm_hold(salon.company, hold.pk, actor=PHONE, now=NOW)  # twice: harmless, once

    assert _kinds(hold.pk) == ["held", "confirmed"]


def test_a_run_out_hold_expires_once_and_its_rebooking_starts_a_history_of_its_own(
    salon: SimpleNamespace,
) -> None:
    hold = hold_appointment(salon.company, _cut(salon), actor=PHONE, now=NOW)
    later = NOW + timedelta(hours=1)
    book_appointment(salon.company, _cut(salon, name="Eva"), actor=ACTOR, now=later)

    with pytest.raises(SlotTaken):
        confirm_hold(salon.company, hold.pk, actor=PHONE, now=later)

    (expired,) = AppointmentEvent.objects.filter(appointment=hold, kind=EventKind.EXPIRED)
    assert (expired.actor_kind, expired.actor_label) == ("system", "hold_expiry")
    assert _kinds(hold.pk) == ["held", "expired"]


def test_a_refused_reschedule_writes_no_event(salon: SimpleNamespace) -> None:
    booked = book_appointment(salon.company, _cut(salon), actor=ACTOR, now=NOW)
    book_appointment(
        salon.company, _cut(salon, TEN + timedelta(hours=1), "Eva"), actor=ACTOR, now=NOW
    )

    with pytest.raises(SlotTaken):
        reschedule_appointment(
            salon.company, booked.pk, TEN + timedelta(hours=1), actor=ACTOR, now=NOW
        )

    assert _kinds(booked.pk) == ["booked"]


def test_an_event_rolls_back_with_its_change(salon: SimpleNamespace) -> None:
    booked = book_appointment(salon.company, _cut(salon), actor=ACTOR, now=NOW)

    def fail(**kwargs: object) -> None:
        raise RuntimeError("the outbox could not be written")

    appointment_changed.connect(fail)
    try:
        with pytest.raises(RuntimeError):
            cancel_appointment(salon.company, booked.pk, actor=ACTOR, now=NOW)
    finally:
        appointment_changed.disconnect(fail)

    booked.refresh_from_db()
    assert (booked.status, _kinds(booked.pk)) == ("booked", ["booked"])
