"""On PostgreSQL the database keeps every reference within its row's company: a write that
goes past the booking service (an ORM update) and names another salon's customer, service,
stylist, appointment, phase or call is refused by the constraint named for that reference
(common/constraints.py, SameCompanyForeignKey), while naming another row of the own salon
is written. On SQLite only the service boundary checks (tests/booking/test_same_company.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.models import Appointment, AppointmentPhase
from phasebook.booking.services import BookingRequest, book_appointment
from phasebook.phone.models import Call, CallAppointment, CallbackRequest
from phasebook.salons.models import Staff
from tests.factories import ACTOR, make_customer, next_weekday

pytestmark = pytest.mark.postgres

Build = Callable[[SimpleNamespace], Model]


@dataclass(frozen=True)
class Reference:
    """`field` of the row `row` builds for a salon, and `other`: a row of the salon that the
    field may name instead (of salon A: written; of salon B: refused by `constraint`)."""

    field: str
    row: Build
    other: Build
    constraint: str

    def __str__(self) -> str:  # the test id
        return self.constraint


def _last_phase(salon: SimpleNamespace) -> AppointmentPhase:
    """The colour's last phase: its segment and order are not the cut's, and it has no sync
    task (the tenancy world's task is the first phase's)."""
    return salon.appointment.phases.order_by("sequence_order").last()


def _cut_appointment(salon: SimpleNamespace) -> Appointment:
    start = next_weekday(timezone.now(), hour=14)
    request = BookingRequest(
        salon.cut.pk, start, CustomerDetails("Zweite Kundin"), str(salon.ben.pk)
    )
    return book_appointment(salon.company, request, actor=ACTOR)


def _second_call(salon: SimpleNamespace) -> Call:
    return Call.objects.create(company=salon.company, call_id=f"{salon.company.slug}-second")


def _callback(salon: SimpleNamespace) -> CallbackRequest:
    call = salon.rows["phone.Call"]
    return CallbackRequest.objects.create(company=salon.company, call=call, tool="list")


def _call_appointment(salon: SimpleNamespace) -> CallAppointment:
    return CallAppointment.objects.create(
        company=salon.company,
        call=salon.rows["phone.Call"],
        appointment=salon.appointment,
        action=CallAppointment.Action.BOOKED,
    )


def _row(label: str) -> Build:
    return lambda salon: salon.rows[label]


def _appointment(salon: SimpleNamespace) -> Appointment:
    return salon.appointment


def _new_customer(salon: SimpleNamespace) -> Model:
    return make_customer(salon.company, "Neue Kundin")


def _cut(salon: SimpleNamespace) -> Model:
    return salon.cut


def _anna(salon: SimpleNamespace) -> Staff:
    return salon.anna


def _ben(salon: SimpleNamespace) -> Staff:
    return salon.ben


REFERENCES = [
    Reference("customer", _appointment, _new_customer, "appointment_customer_same_company"),
    Reference("service", _appointment, _cut, "appointment_service_same_company"),
    Reference("staff", _appointment, _ben, "appointment_staff_same_company"),
    Reference("appointment", _last_phase, _cut_appointment, "phase_appointment_same_company"),
    Reference("staff", _last_phase, _ben, "phase_staff_same_company"),
    Reference("staff", _row("salons.ExternalBusyBlock"), _anna, "busy_block_staff_same_company"),
    Reference("service", _row("calcom.CalcomEventMap"), _cut, "calcom_map_service_same_company"),
    Reference("staff", _row("calcom.CalcomEventMap"), _ben, "calcom_map_staff_same_company"),
    Reference(
        "service",
        _row("calcom.CalcomEventMapChange"),
        _cut,
        "calcom_map_change_service_same_company",
    ),
    Reference(
        "staff", _row("calcom.CalcomEventMapChange"), _ben, "calcom_map_change_staff_same_company"
    ),
    Reference(
        "appointment",
        _row("calsync.PhaseSyncTask"),
        _cut_appointment,
        "sync_task_appointment_same_company",
    ),
    Reference("phase", _row("calsync.PhaseSyncTask"), _last_phase, "sync_task_phase_same_company"),
    Reference("call", _callback, _second_call, "callback_call_same_company"),
    Reference("call", _call_appointment, _second_call, "call_appointment_call_same_company"),
    Reference(
        "appointment",
        _call_appointment,
        _cut_appointment,
        "call_appointment_appointment_same_company",
    ),
]

# What deleting a salon's call, appointment and stylists takes with them.
DELETED_WITH_THEM = [
    "phone.CallbackRequest",
    "phone.CallAppointment",
    "booking.AppointmentPhase",
    "calsync.PhaseSyncTask",
    "salons.ExternalBusyBlock",
    "calcom.CalcomEventMap",
    "calcom.CalcomEventMapChange",
]


def _point(row: Model, field: str, target: Model) -> None:
    """An ORM update past every service: only the database stands in its way."""
    type(row)._base_manager.filter(pk=row.pk).update(**{field: target})


@pytest.mark.parametrize("reference", REFERENCES, ids=str)
def test_the_database_refuses_a_reference_to_another_salons_row(
    world: SimpleNamespace, reference: Reference
) -> None:
    row = reference.row(world.a)
    foreign = reference.other(world.b)
    with pytest.raises(IntegrityError, match=reference.constraint), transaction.atomic():
        _point(row, reference.field, foreign)
    row.refresh_from_db()
    assert getattr(row, f"{reference.field}_id") != foreign.pk


@pytest.mark.parametrize("reference", REFERENCES, ids=str)
def test_a_reference_to_another_row_of_the_own_salon_is_written(
    world: SimpleNamespace, reference: Reference
) -> None:
    row = reference.row(world.a)
    own = reference.other(world.a)
    _point(row, reference.field, own)
    row.refresh_from_db()
    assert getattr(row, f"{reference.field}_id") == own.pk


def test_a_stylist_with_appointments_cannot_move_to_another_salon(world: SimpleNamespace) -> None:
    with pytest.raises(IntegrityError, match="_same_company"), transaction.atomic():
        Staff.objects.filter(pk=world.a.anna.pk).update(company=world.b.company)
    assert Staff.objects.get(pk=world.a.anna.pk).company_id == world.a.company.pk


def test_deleting_a_row_deletes_what_references_it_in_an_order_the_keys_accept(
    world: SimpleNamespace,
) -> None:
    """The keys are checked at each statement, not at commit: Django deletes the referencing
    rows first (a call's callback requests, whose call may be NULL, included)."""
    salon = world.a
    _callback(salon)
    _call_appointment(salon)
    for row in (salon.rows["phone.Call"], salon.appointment, salon.anna, salon.ben):
        row.delete()
    for label in DELETED_WITH_THEM:
        assert not apps.get_model(label)._base_manager.filter(company=salon.company).exists()
