"""What the hand-written snapshot query reads, seen through the predicate: every kind of
busy time blocks exactly its own interval, and only for its own stylist or customer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from phasebook.booking.availability import NOBODY, Caller, verdict_for
from phasebook.booking.customers import CustomerDetails
from phasebook.booking.errors import SlotTaken
from phasebook.booking.models import AppointmentStatus
from phasebook.booking.services import BookingRequest, book_appointment, hold_appointment
from phasebook.salons.models import Absence, ExternalBusyBlock, Staff
from phasebook.scheduling.availability import Rule
from tests.factories import ACTOR, BERLIN, make_customer

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday morning
TEN = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)  # that Wednesday, 10:00
HALF_HOUR = timedelta(minutes=30)  # the cut's length
PAUL = CustomerDetails("Paul Klaus", phone="+49 171 2345678")


def _rules(
    salon: SimpleNamespace, stylist: Staff, start: datetime, caller: Caller = NOBODY
) -> set[str]:
    verdict, _ = verdict_for(salon.company, salon.cut, start, [stylist], NOW, caller)
    conflicts = list(verdict.salon_conflicts) + list(verdict.staff_conflicts[str(stylist.pk)])
    return {conflict.rule.value for conflict in conflicts}


def test_an_absence_blocks_its_stylist_for_exactly_its_interval(salon: SimpleNamespace) -> None:
    Absence.objects.create(staff=salon.anna, start=TEN, end=TEN + HALF_HOUR, reason="Arzt")

    assert _rules(salon, salon.anna, TEN) == {Rule.STAFF_ABSENT}
    assert _rules(salon, salon.anna, TEN - HALF_HOUR) == set()  # ends as the absence begins
    assert _rules(salon, salon.anna, TEN + HALF_HOUR) == set()  # begins as it ends
    assert _rules(salon, salon.ben, TEN) == set()


def test_an_external_block_blocks_its_stylist_and_is_labelled_without_its_title(
    salon: SimpleNamespace,
) -> None:
    ExternalBusyBlock.objects.create(
        staff=salon.anna, start=TEN, end=TEN + HALF_HOUR, external_id="uid-1"
    )

    verdict, _ = verdict_for(salon.company, salon.cut, TEN, [salon.anna, salon.ben], NOW)

    [conflict] = verdict.staff_conflicts[str(salon.anna.pk)]
    assert conflict.rule == Rule.EXTERNAL_BUSY
    assert conflict.blocking is not None
    assert conflict.blocking.label == "Kalender"
    assert verdict.bookable_staff == [str(salon.ben.pk)]


def test_a_stylist_who_does_not_perform_the_service_is_not_qualified(
    salon: SimpleNamespace,
) -> None:
    salon.anna.services.remove(salon.cut)

    assert _rules(salon, salon.anna, TEN) == {Rule.STAFF_NOT_QUALIFIED}
    assert _rules(salon, salon.ben, TEN) == set()


def test_the_customers_other_appointment_blocks_only_that_customer(
    salon: SimpleNamespace,
) -> None:
    book_appointment(
        salon.company,
        BookingRequest(salon.cut.pk, TEN, PAUL, str(salon.ben.pk)),
        now=NOW,
        actor=ACTOR,
    )
    paul = salon.company.customers.get(name="Paul Klaus")
    eva = make_customer(salon.company, "Eva Adler")

    assert _rules(salon, salon.anna, TEN, Caller(paul)) == {Rule.CUSTOMER_BUSY}
    assert _rules(salon, salon.anna, TEN, Caller(eva)) == set()
    with pytest.raises(SlotTaken):
        book_appointment(
            salon.company,
            BookingRequest(salon.cut.pk, TEN, PAUL, str(salon.anna.pk)),
            now=NOW,
            actor=ACTOR,
        )


def test_a_live_hold_blocks_and_a_run_out_hold_is_retired_by_the_booking_it_was_in_the_way_of(
    salon: SimpleNamespace,
) -> None:
    hold = hold_appointment(
        salon.company,
        BookingRequest(salon.cut.pk, TEN, PAUL, str(salon.anna.pk)),
        now=NOW,
        actor=ACTOR,
    )
    eva = CustomerDetails("Eva Adler")
    with pytest.raises(SlotTaken):
        book_appointment(
            salon.company,
            BookingRequest(salon.cut.pk, TEN, eva, str(salon.anna.pk)),
            now=NOW,
            actor=ACTOR,
        )

    later = hold.hold_expires_at + timedelta(seconds=1)
    booked = book_appointment(
        salon.company,
        BookingRequest(salon.cut.pk, TEN, eva, str(salon.anna.pk)),
        now=later,
        actor=ACTOR,
    )

    hold.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED
    assert (hold.status, hold.is_live) == (AppointmentStatus.EXPIRED, False)
    assert not hold.phases.filter(blocks_staff=True).exists()


def test_a_run_out_hold_elsewhere_is_left_as_it_is(salon: SimpleNamespace) -> None:
    hold = hold_appointment(
        salon.company,
        BookingRequest(salon.cut.pk, TEN, PAUL, str(salon.anna.pk)),
        now=NOW,
        actor=ACTOR,
    )

    later = hold.hold_expires_at + timedelta(seconds=1)
    book_appointment(
        salon.company,
        BookingRequest(
            salon.cut.pk, TEN + 2 * HALF_HOUR, CustomerDetails("Eva"), str(salon.anna.pk)
        ),
        now=later,
        actor=ACTOR,
    )

    hold.refresh_from_db()
    assert hold.status == AppointmentStatus.HELD  # not in the way: nothing to retire
