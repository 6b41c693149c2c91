"""The sync writes its outcomes into the appointment's history: synced once the whole
appointment is, every failed attempt with its phase and message, giving up, and a
verification that found Cal.com in order."""

from __future__ import annotations

from types import SimpleNamespace

from phasebook.booking.models import AppointmentEvent, EventKind
from phasebook.booking.services import cancel_appointment
from phasebook.calsync.env import SyncEnv
from phasebook.calsync.sync import drain, verify_appointment
from tests.factories import ACTOR
from tests.support.booking import book
from tests.support.clock import FakeClock
from tests.support.mirror import Mirror


def _history(appointment_id: object) -> list[tuple[str, str, str]]:
    return [
        (event.kind, event.actor_label, event.phase.segment_key if event.phase else "")
        for event in AppointmentEvent.objects.filter(appointment_id=appointment_id)
    ]


def test_a_booking_and_its_cancellation_are_each_marked_synced_once(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon)
    drain(env)
    cancel_appointment(salon.company, appointment.pk, actor=ACTOR)
    drain(env)

    assert _history(appointment.pk) == [
        ("booked", "tests", ""),
        ("sync_succeeded", "calsync", ""),
        ("cancelled", "tests", ""),
        ("sync_succeeded", "calsync", ""),
    ]


def test_every_failed_attempt_names_its_phase_until_the_sync_gives_up(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, clock: FakeClock
) -> None:
    mirror.emulator.inject_fault("server_error", count=None, method="POST")
    appointment = book(salon, service=salon.cut)
    for _ in range(env.retry.max_attempts):
        drain(env)
        clock.advance(hours=1)

    failures = [kind for kind, _, _ in _history(appointment.pk)[1:]]
    assert failures == [EventKind.SYNC_FAILED] * (env.retry.max_attempts - 1) + [
        EventKind.SYNC_GAVE_UP
    ]
    gave_up = AppointmentEvent.objects.filter(appointment=appointment).last()
    assert gave_up is not None
    assert (gave_up.phase, gave_up.actor_kind) == (appointment.phases.get(), "system")
    assert gave_up.note.startswith("Nach 5 Versuchen aufgegeben")


def test_a_verification_that_finds_cal_com_in_order_says_so(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon, service=salon.cut)
    drain(env)

    verify_appointment(appointment.pk, env)

    assert [kind for kind, _, _ in _history(appointment.pk)] == [
        "booked",
        "sync_succeeded",
        "verified",
    ]
