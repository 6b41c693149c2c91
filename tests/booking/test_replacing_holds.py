"""A new hold may replace its client's earlier holds (the phone agent's call moving on to
another time): they are released with it, or kept when the new start is refused; another
client's holds are never released that way."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from uuid import UUID

import pytest

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.errors import RateLimited, SlotTaken
from phasebook.booking.events import Actor
from phasebook.booking.holds import REPLACED
from phasebook.booking.models import Appointment, AppointmentStatus
from phasebook.booking.services import BookingRequest, hold_appointment
from phasebook.salons.models import ApiToken
from tests.factories import BERLIN, set_limits

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday morning
TEN = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)  # that Wednesday, 10:00
CALL = Actor.phone("call_a")
CALLER = "+4915112345678"


def _hold(
    salon: SimpleNamespace, start: datetime, actor: Actor, replacing: Sequence[UUID] = ()
) -> Appointment:
    request = BookingRequest(
        salon.cut.pk, start, CustomerDetails("Anrufer:in", CALLER), str(salon.anna.pk)
    )
    return hold_appointment(salon.company, request, actor=actor, now=NOW, replacing=replacing)


def _status(hold: Appointment) -> str:
    hold.refresh_from_db()
    return hold.status


def test_the_replaced_hold_is_cancelled_by_the_client_with_its_reason(
    salon: SimpleNamespace,
) -> None:
    earlier = _hold(salon, TEN, CALL)

    # Overlapping the earlier hold, with the same stylist: the replaced hold is no conflict.
    later = _hold(salon, TEN + timedelta(minutes=15), CALL, replacing=[earlier.pk])

    earlier.refresh_from_db()
    assert (earlier.status, earlier.is_live, earlier.cancel_reason) == (
        AppointmentStatus.CANCELLED,
        False,
        REPLACED,
    )
    assert not earlier.phases.filter(blocks_staff=True).exists()
    assert _status(later) == AppointmentStatus.HELD


def test_a_refused_start_keeps_the_hold_it_would_have_replaced(salon: SimpleNamespace) -> None:
    earlier = _hold(salon, TEN, CALL)
    _hold(salon, TEN + timedelta(hours=4), Actor.phone("call_b"))

    with pytest.raises(SlotTaken):
        _hold(salon, TEN + timedelta(hours=4), CALL, replacing=[earlier.pk])

    assert _status(earlier) == AppointmentStatus.HELD


def test_another_clients_hold_is_not_replaced_nor_left_out_of_the_caps(
    salon: SimpleNamespace,
) -> None:
    set_limits(salon.company, live_holds_per_caller=1)
    token = ApiToken.objects.get(company=salon.company)
    theirs = _hold(salon, TEN, Actor.api(token))

    with pytest.raises(RateLimited):
        _hold(salon, TEN + timedelta(hours=4), CALL, replacing=[theirs.pk])

    assert _status(theirs) == AppointmentStatus.HELD
