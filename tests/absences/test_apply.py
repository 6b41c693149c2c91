"""Applying an absence's plan: retries, choices, what changed in between, holds, plan ids,
bad input and other salons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from unittest import mock

import pytest

from phasebook.absences.errors import InvalidPlan, PlanExpired
from phasebook.absences.plans import PLAN_MAX_AGE, PlanIntent, PlannedStep, issue_plan_id
from phasebook.absences.services import Result, apply_absence, plan_absence
from phasebook.booking.customers import CustomerDetails
from phasebook.booking.errors import InvalidRequest, InvalidState, NotBookable, NotFound
from phasebook.booking.models import Appointment, AppointmentStatus, EventKind
from phasebook.booking.services import (
    BookingRequest,
    book_appointment,
    confirm_hold,
    hand_over_appointment,
    hold_appointment,
    reschedule_appointment,
)
from phasebook.salons.models import Absence, Service, Staff
from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.replan import AbsencePeriod, Action
from tests.factories import ACTOR, BERLIN

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday morning
MORNING = (datetime(2026, 3, 4, 9, 0, tzinfo=BERLIN), datetime(2026, 3, 4, 13, 0, tzinfo=BERLIN))
TEN = datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN)  # that Wednesday


def _book(
    salon: SimpleNamespace,
    service: Service,
    start: datetime,
    stylist: Staff,
    client: str = "Paul Klaus",
    hold: bool = False,
) -> Appointment:
    request = BookingRequest(service.pk, start, CustomerDetails(client), str(stylist.pk))
    return (hold_appointment if hold else book_appointment)(
        salon.company, request, now=NOW, actor=ACTOR
    )


def _apply(
    salon: SimpleNamespace,
    plan_id: str | None = None,
    skip: tuple[str, ...] = (),
    now: datetime = NOW,
) -> list[Result]:
    applied = apply_absence(
        salon.company, salon.anna.pk, *MORNING, "krank", plan_id, skip, now, actor=ACTOR
    )
    return [outcome.result for outcome in applied.outcomes]


def _plan_id(salon: SimpleNamespace) -> str:
    return plan_absence(salon.company, salon.anna.pk, *MORNING, "krank", now=NOW).plan_id


def test_applying_the_same_plan_again_changes_nothing_more(salon: SimpleNamespace) -> None:
    cut = _book(salon, salon.cut, TEN, salon.anna)
    plan_id = _plan_id(salon)

    assert _apply(salon, plan_id) == [Result.MOVED]
    assert _apply(salon, plan_id) == [Result.MOVED]  # a retry: the same answer

    assert Absence.objects.count() == 1
    cut.refresh_from_db()
    assert cut.staff_id == salon.ben.pk


def test_the_proposed_plan_is_applied_without_a_plan_id(salon: SimpleNamespace) -> None:
    cut = _book(salon, salon.cut, TEN, salon.anna)

    assert _apply(salon) == [Result.MOVED]

    cut.refresh_from_db()
    assert (cut.staff_id, cut.start) == (salon.ben.pk, TEN)


def test_skipped_appointments_are_left_as_they_are(salon: SimpleNamespace) -> None:
    cut = _book(salon, salon.cut, TEN, salon.anna)

    assert _apply(salon, _plan_id(salon), skip=(str(cut.pk),)) == [Result.SKIPPED]

    cut.refresh_from_db()
    assert cut.staff_id == salon.anna.pk
    assert Absence.objects.count() == 1  # the absence is recorded all the same


def test_an_appointment_moved_by_hand_in_between_is_not_touched(salon: SimpleNamespace) -> None:
    cut = _book(salon, salon.cut, TEN, salon.anna)
    plan_id = _plan_id(salon)
    reschedule_appointment(salon.company, cut.pk, TEN + timedelta(hours=4), now=NOW, actor=ACTOR)

    applied = apply_absence(
        salon.company, salon.anna.pk, *MORNING, "krank", plan_id, now=NOW, actor=ACTOR
    )

    (outcome,) = applied.outcomes
    assert outcome.result is Result.CHANGED
    assert outcome.message == "Der Termin wurde seit der Planung geändert und bleibt, wie er ist."
    cut.refresh_from_db()
    assert (cut.staff_id, cut.start) == (salon.anna.pk, TEN + timedelta(hours=4))


def test_a_hold_nobody_can_take_is_released_and_cannot_be_confirmed(
    salon: SimpleNamespace,
) -> None:
    _book(salon, salon.cut, TEN, salon.ben, "Bens Kundin")
    hold = _book(salon, salon.cut, TEN, salon.anna, hold=True)

    assert _apply(salon) == [Result.RELEASED]

    hold.refresh_from_db()
    assert (hold.status, hold.is_live) == (AppointmentStatus.CANCELLED, False)
    released = hold.events.get(kind=EventKind.CANCELLED)
    assert released.absence == Absence.objects.get()
    with pytest.raises(InvalidState):
        confirm_hold(salon.company, hold.pk, now=NOW, actor=ACTOR)


def test_an_appointment_without_a_new_time_is_left_for_a_call(salon: SimpleNamespace) -> None:
    salon.ben.services.clear()
    cut = _book(salon, salon.cut, TEN, salon.anna)
    whole_month = (MORNING[0], MORNING[0] + timedelta(days=30))

    applied = apply_absence(salon.company, salon.anna.pk, *whole_month, now=NOW, actor=ACTOR)

    assert [outcome.result for outcome in applied.outcomes] == [Result.LEFT]
    cut.refresh_from_db()
    assert (cut.staff_id, cut.start, cut.status) == (salon.anna.pk, TEN, AppointmentStatus.BOOKED)


def test_a_plan_id_for_another_absence_is_refused(salon: SimpleNamespace) -> None:
    plan_id = _plan_id(salon)
    with pytest.raises(InvalidPlan):
        apply_absence(
            salon.company,
            salon.anna.pk,
            MORNING[0],
            MORNING[1] + timedelta(hours=1),
            plan_id=plan_id,
            now=NOW,
            actor=ACTOR,
        )
    with pytest.raises(InvalidPlan):
        apply_absence(
            salon.company,
            salon.anna.pk,
            *MORNING,
            plan_id=plan_id[:-3] + "xyz",
            now=NOW,
            actor=ACTOR,
        )
    assert not Absence.objects.exists()


def test_a_plan_id_runs_out(salon: SimpleNamespace) -> None:
    plan_id = _plan_id(salon)
    later = datetime.now(UTC).timestamp() + PLAN_MAX_AGE.total_seconds() + 1
    with (
        mock.patch("django.core.signing.time.time", return_value=later),
        pytest.raises(PlanExpired),
    ):
        apply_absence(salon.company, salon.anna.pk, *MORNING, plan_id=plan_id, now=NOW, actor=ACTOR)


def test_another_salons_stylist_and_plan_look_like_they_do_not_exist(
    salon: SimpleNamespace, other_salon: SimpleNamespace
) -> None:
    with pytest.raises(NotFound):
        plan_absence(other_salon.company, salon.anna.pk, *MORNING, now=NOW)
    plan_id = _plan_id(salon)
    with pytest.raises(InvalidPlan):
        apply_absence(
            other_salon.company,
            other_salon.anna.pk,
            *MORNING,
            plan_id=plan_id,
            now=NOW,
            actor=ACTOR,
        )


def test_a_plan_naming_another_salons_appointment_leaves_it_alone_and_unshown(
    salon: SimpleNamespace, other_salon: SimpleNamespace
) -> None:
    """Plan ids are signed, so only a leaked secret could do this: the lookups are the
    tenant's all the same."""
    theirs = _book(other_salon, other_salon.cut, TEN, other_salon.anna, client="Eva Fremd")
    step = PlannedStep(
        str(theirs.pk), Action.NEW_TIME, str(salon.anna.pk), TEN, str(salon.ben.pk), TEN
    )
    period = AbsencePeriod(str(salon.anna.pk), Interval(*MORNING), "krank")
    plan_id = issue_plan_id(PlanIntent(salon.company.pk, period, (step,)))

    applied = apply_absence(
        salon.company, salon.anna.pk, *MORNING, "krank", plan_id, now=NOW, actor=ACTOR
    )

    assert [outcome.result for outcome in applied.outcomes] == [Result.CHANGED]
    assert applied.appointments == {}
    theirs.refresh_from_db()
    assert (theirs.staff_id, theirs.start) == (other_salon.anna.pk, TEN)


def test_skipping_an_appointment_that_is_not_in_the_plan_is_refused(
    salon: SimpleNamespace,
) -> None:
    with pytest.raises(InvalidRequest, match="skip"):
        _apply(salon, skip=("0b0e2c7e-0000-0000-0000-000000000000",))
    assert not Absence.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "reason", "message"),
    [
        (MORNING[1], MORNING[0], "", "„end“ muss nach „start“ liegen."),
        (
            MORNING[0],
            MORNING[0] + timedelta(days=31, minutes=1),
            "",
            "Bitte höchstens 31 Tage auf einmal eintragen.",
        ),
        (NOW - timedelta(days=2), NOW - timedelta(days=1), "", "Die Abwesenheit ist schon vorbei."),
        (*MORNING, "x" * 201, "Der Grund ist zu lang (höchstens 200 Zeichen)."),
    ],
)
def test_a_bad_absence_is_refused_with_a_reason(
    salon: SimpleNamespace, start: datetime, end: datetime, reason: str, message: str
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        plan_absence(salon.company, salon.anna.pk, start, end, reason, now=NOW)
    assert str(refused.value) == message


def test_a_sick_call_within_the_notice_still_hands_the_client_over_at_her_time(
    salon: SimpleNamespace,
) -> None:
    cut = _book(salon, salon.cut, TEN, salon.anna)
    half_an_hour_before = TEN - timedelta(minutes=30)  # the salon asks 60 minutes' notice

    assert _apply(salon, now=half_an_hour_before) == [Result.MOVED]

    cut.refresh_from_db()
    assert (cut.staff_id, cut.start) == (salon.ben.pk, TEN)


def test_the_booking_path_still_asks_the_notice_of_anything_but_the_handover(
    salon: SimpleNamespace,
) -> None:
    cut = _book(salon, salon.cut, TEN, salon.anna)

    with pytest.raises(NotBookable) as refused:
        reschedule_appointment(
            salon.company,
            cut.pk,
            TEN,
            str(salon.ben.pk),
            now=TEN - timedelta(minutes=30),
            actor=ACTOR,
        )

    assert str(refused.value) == "Termine müssen mindestens 60 Minuten im Voraus gebucht werden."


def test_an_appointment_that_has_begun_is_not_handed_over(salon: SimpleNamespace) -> None:
    cut = _book(salon, salon.cut, TEN, salon.anna)
    absence = Absence.objects.create(staff=salon.anna, start=MORNING[0], end=MORNING[1])

    with pytest.raises(InvalidState):
        hand_over_appointment(
            salon.company,
            cut.pk,
            str(salon.ben.pk),
            absence=absence,
            actor=ACTOR,
            now=TEN + timedelta(minutes=5),
        )

    # Planned before it began, applied after: the handover is refused, never forced.
    plan_id = plan_absence(
        salon.company, salon.anna.pk, *MORNING, "krank", now=TEN - timedelta(minutes=30)
    ).plan_id
    (outcome,) = apply_absence(
        salon.company,
        salon.anna.pk,
        *MORNING,
        "krank",
        plan_id,
        now=TEN + timedelta(minutes=5),
        actor=ACTOR,
    ).outcomes
    assert (outcome.result, outcome.error) == (Result.REFUSED, "invalid_state")
    assert outcome.message == "Der Termin hat bereits begonnen und wird nicht übergeben."
    cut.refresh_from_db()
    assert (cut.staff_id, cut.start) == (salon.anna.pk, TEN)
