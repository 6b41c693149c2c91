"""The booking service's rules, called directly with a fixed clock.

The HTTP flow (phases of a colour, a cut inside the processing time, holds blocking,
rescheduling keeping phase identity, cancelling freeing the stylist) is covered in
tests/api/test_booking_flow.py; these are the cases behind it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.errors import NotBookable, SlotTaken
from phasebook.booking.models import Appointment, AppointmentStatus
from phasebook.booking.rendering import render_reasons
from phasebook.booking.services import (
    BookingRequest,
    book_appointment,
    cancel_appointment,
    confirm_hold,
    hold_appointment,
    reschedule_appointment,
)
from phasebook.booking.signals import appointment_changed
from phasebook.salons.models import Customer, Service, Staff
from tests.factories import ACTOR, BERLIN

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday morning
TEN = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)  # that Wednesday, 10:00
PAUL = CustomerDetails("Paul Klaus", phone="+49 171 2345678")
EVA = CustomerDetails("Eva Adler", phone="+49 171 7654321")


def _request(
    service: Service, start: datetime, customer: CustomerDetails = PAUL, staff: Staff | None = None
) -> BookingRequest:
    return BookingRequest(service.pk, start, customer, str(staff.pk) if staff else None)


def _ttl() -> timedelta:
    return timedelta(seconds=settings.PHASEBOOK_HOLD_TTL_SECONDS)


def test_any_stylist_goes_to_whoever_has_the_least_booked_time_that_day(
    salon: SimpleNamespace,
) -> None:
    def stylist_for(start: datetime, customer: CustomerDetails) -> Appointment:
        return book_appointment(
            salon.company, _request(salon.cut, start, customer), now=NOW, actor=ACTOR
        )

    assert stylist_for(TEN, PAUL).staff_id == salon.anna.pk  # a tie goes by name
    bens = stylist_for(TEN + timedelta(hours=2), EVA)
    assert bens.staff_id == salon.ben.pk  # Anna has 30 minutes that day, Ben none
    assert stylist_for(TEN + timedelta(days=1), EVA).staff_id == salon.anna.pk  # another day
    cancel_appointment(salon.company, bens.pk, now=NOW, actor=ACTOR)
    assert stylist_for(TEN + timedelta(hours=4), PAUL).staff_id == salon.ben.pk


def test_a_refused_booking_leaves_no_new_customer_behind(salon: SimpleNamespace) -> None:
    book_appointment(
        salon.company, _request(salon.cut, TEN, PAUL, salon.anna), now=NOW, actor=ACTOR
    )
    with pytest.raises(SlotTaken):
        book_appointment(
            salon.company, _request(salon.cut, TEN, EVA, salon.anna), now=NOW, actor=ACTOR
        )
    assert list(Customer.objects.values_list("name", flat=True)) == [PAUL.name]


def test_a_hold_blocks_until_its_last_second_and_not_a_moment_longer(
    salon: SimpleNamespace,
) -> None:
    hold = hold_appointment(
        salon.company, _request(salon.cut, TEN, PAUL, salon.anna), now=NOW, actor=ACTOR
    )
    just_before = NOW + _ttl() - timedelta(seconds=1)
    with pytest.raises(SlotTaken):
        book_appointment(
            salon.company, _request(salon.cut, TEN, EVA, salon.anna), now=just_before, actor=ACTOR
        )
    booked = book_appointment(
        salon.company, _request(salon.cut, TEN, EVA, salon.anna), now=NOW + _ttl(), actor=ACTOR
    )
    assert booked.status == AppointmentStatus.BOOKED
    hold.refresh_from_db()
    assert (hold.status, hold.is_live) == (AppointmentStatus.EXPIRED, False)
    assert not hold.phases.filter(blocks_staff=True).exists()


def test_confirming_an_expired_hold_books_its_time_anew_while_it_is_free(
    salon: SimpleNamespace,
) -> None:
    hold = hold_appointment(
        salon.company, _request(salon.colour, TEN, PAUL, salon.anna), now=NOW, actor=ACTOR
    )
    booked = confirm_hold(salon.company, hold.pk, now=NOW + _ttl() * 2, actor=ACTOR)
    assert booked.pk != hold.pk
    assert (booked.status, booked.start, booked.staff_id) == (
        AppointmentStatus.BOOKED,
        TEN,
        salon.anna.pk,
    )
    assert Appointment.objects.get(pk=hold.pk).status == AppointmentStatus.EXPIRED


def test_an_expired_hold_already_retired_by_another_booking_is_still_booked_anew(
    salon: SimpleNamespace,
) -> None:
    hold = hold_appointment(
        salon.company, _request(salon.cut, TEN, PAUL, salon.anna), now=NOW, actor=ACTOR
    )
    later = NOW + _ttl() * 2
    book_appointment(
        salon.company,
        _request(salon.cut, TEN + timedelta(hours=3), EVA, salon.anna),
        now=later,
        actor=ACTOR,
    )  # retires Anna's old holds
    booked = confirm_hold(salon.company, hold.pk, now=later, actor=ACTOR)
    assert (booked.status, booked.start) == (AppointmentStatus.BOOKED, TEN)


def test_confirming_an_expired_hold_whose_time_was_taken_is_slot_taken(
    salon: SimpleNamespace,
) -> None:
    hold = hold_appointment(
        salon.company, _request(salon.cut, TEN, PAUL, salon.anna), now=NOW, actor=ACTOR
    )
    later = NOW + _ttl() * 2
    book_appointment(
        salon.company, _request(salon.cut, TEN, EVA, salon.anna), now=later, actor=ACTOR
    )
    with pytest.raises(SlotTaken) as taken:
        confirm_hold(salon.company, hold.pk, now=later, actor=ACTOR)
    assert taken.value.alternatives
    assert Appointment.objects.get(pk=hold.pk).status == AppointmentStatus.EXPIRED


def test_rescheduling_onto_another_stylist_is_checked_against_her_bookings(
    salon: SimpleNamespace,
) -> None:
    cut = book_appointment(
        salon.company, _request(salon.cut, TEN, PAUL, salon.anna), now=NOW, actor=ACTOR
    )
    book_appointment(
        salon.company, _request(salon.colour, TEN, EVA, salon.ben), now=NOW, actor=ACTOR
    )
    with pytest.raises(SlotTaken):  # Ben applies Eva's colour from 10:00 to 10:30
        reschedule_appointment(salon.company, cut.pk, TEN, str(salon.ben.pk), now=NOW, actor=ACTOR)
    moved = reschedule_appointment(
        salon.company, cut.pk, TEN + timedelta(minutes=30), str(salon.ben.pk), now=NOW, actor=ACTOR
    )  # into the processing time
    assert (moved.staff_id, moved.start) == (salon.ben.pk, TEN + timedelta(minutes=30))
    assert set(moved.phases.values_list("staff_id", flat=True)) == {salon.ben.pk}


def test_a_refused_reschedule_leaves_the_appointment_where_it_was(salon: SimpleNamespace) -> None:
    cut = book_appointment(
        salon.company, _request(salon.cut, TEN, PAUL, salon.anna), now=NOW, actor=ACTOR
    )
    book_appointment(
        salon.company,
        _request(salon.cut, TEN + timedelta(hours=1), EVA, salon.anna),
        now=NOW,
        actor=ACTOR,
    )
    with pytest.raises(SlotTaken):
        reschedule_appointment(
            salon.company, cut.pk, TEN + timedelta(minutes=45), now=NOW, actor=ACTOR
        )
    cut.refresh_from_db()
    assert cut.start == TEN
    assert cut.phases.get().blocks_staff


def test_cancelling_twice_changes_and_announces_only_once(salon: SimpleNamespace) -> None:
    changes: list[str] = []

    def record(sender: object, appointment: Appointment, change: str, **_: object) -> None:
        changes.append(change)

    booked = book_appointment(
        salon.company, _request(salon.cut, TEN, PAUL, salon.anna), now=NOW, actor=ACTOR
    )
    appointment_changed.connect(record)
    try:
        first = cancel_appointment(salon.company, booked.pk, "krank", now=NOW, actor=ACTOR)
        second = cancel_appointment(
            salon.company, booked.pk, "anders", now=NOW + _ttl(), actor=ACTOR
        )
    finally:
        appointment_changed.disconnect(record)
    assert changes == ["cancelled"]
    assert (second.cancel_reason, second.cancelled_at) == ("krank", first.cancelled_at)


def test_a_new_colour_may_hold_an_existing_cut_in_its_processing_time(
    salon: SimpleNamespace,
) -> None:
    book_appointment(
        salon.company,
        _request(salon.cut, TEN + timedelta(minutes=30), EVA, salon.anna),
        now=NOW,
        actor=ACTOR,
    )
    colour = book_appointment(
        salon.company, _request(salon.colour, TEN, PAUL, salon.anna), now=NOW, actor=ACTOR
    )
    assert colour.staff_id == salon.anna.pk


def test_a_customer_is_never_in_two_appointments_even_during_her_processing_time(
    salon: SimpleNamespace,
) -> None:
    book_appointment(
        salon.company, _request(salon.colour, TEN, PAUL, salon.anna), now=NOW, actor=ACTOR
    )
    with pytest.raises(SlotTaken) as taken:
        book_appointment(
            salon.company,
            _request(salon.cut, TEN + timedelta(minutes=30), PAUL, salon.ben),
            now=NOW,
            actor=ACTOR,
        )
    assert taken.value.explained is not None
    (reason,) = render_reasons(taken.value.explained)
    assert "bereits einen Termin" in reason.message


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        (datetime(2026, 3, 8, 10, 0, tzinfo=BERLIN), "geschlossen"),  # a Sunday
        (NOW + timedelta(minutes=30), "im Voraus gebucht"),
        (TEN + timedelta(minutes=7), "Minuten-Raster"),
    ],
    ids=["closed-day", "too-soon", "off-grid"],
)
def test_a_start_that_no_booking_can_free_is_not_bookable_with_a_german_reason(
    salon: SimpleNamespace, start: datetime, reason: str
) -> None:
    with pytest.raises(NotBookable) as refused:
        book_appointment(salon.company, _request(salon.cut, start, PAUL), now=NOW, actor=ACTOR)
    assert reason in refused.value.message
    assert not Appointment.objects.exists()
