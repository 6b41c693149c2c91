"""Reconciliation and inbound webhooks: our DB is the truth, Cal.com converges to it."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.core.management import call_command
from django.test import Client

from phasebook.booking.models import SyncStatus
from phasebook.calcom_emulator import signature
from phasebook.calcom_emulator.state import BookingEvent, NewBooking
from phasebook.calcom_emulator.webhooks import event_payload
from phasebook.calsync.env import SyncEnv
from phasebook.calsync.models import DriftKind, SyncDrift, WebhookDelivery
from phasebook.calsync.reconcile import reconcile_company
from phasebook.calsync.sync import drain
from phasebook.salons.models import ExternalBusyBlock
from tests.support.booking import book
from tests.support.mirror import Mirror


def _direct_booking(mirror: Mirror, host_id: int, start: Any, metadata: dict[str, Any]) -> Any:
    """A booking made in Cal.com itself, not through phasebook."""
    state = mirror.emulator.state
    event_type = next(et for et in state.event_types.values() if et.host_ids == (host_id,))
    attendee = {"name": "Walk-in", "email": "walkin@example.com", "timeZone": "Europe/Berlin"}
    return state.create_booking(NewBooking(event_type.id, start, attendee, metadata)).booking


def test_reconcile_recreates_missing_cancels_orphans_and_duplicates(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    kept = book(salon)
    drain(env)
    lost = kept.phases.get(segment_key="C")
    mirror.emulator.state.cancel_booking(lost.calcom_booking_uid, "deleted by hand")
    wash = kept.phases.get(segment_key="B")
    duplicate = _direct_booking(
        mirror,
        mirror.hosts[str(salon.ben.pk)],
        wash.start_time,
        {"phasebook_phase_id": str(wash.pk), "phasebook_company": "salon-a"},
    )
    gone = book(salon, service=salon.cut, hour=15)
    drain(env)
    orphan_uid = gone.phases.get().calcom_booking_uid
    gone.delete()

    report = reconcile_company(salon.company, env)
    drain(env)

    assert (report.missing, report.stale, report.orphans_cancelled) == (1, 1, 1)
    assert mirror.emulator.state.bookings[orphan_uid].status == "cancelled"
    assert mirror.emulator.state.bookings[duplicate.uid].status == "cancelled"
    for phase in kept.phases.filter(staff_required=True):
        (booking,) = mirror.live_for_phase(phase.pk)
        assert (booking.start, booking.end) == (phase.start_time, phase.end_time)
    assert len(mirror.live_bookings()) == 4
    again = reconcile_company(salon.company, env)
    assert (again.missing, again.stale, again.orphans_cancelled) == (0, 0, 0)


def test_reconcile_turns_direct_cal_com_bookings_into_busy_blocks_and_records_overlaps(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon, service=salon.cut)
    drain(env)
    ben_host = mirror.hosts[str(salon.ben.pk)]
    walk_in = _direct_booking(mirror, ben_host, appointment.start, {})
    anna_phase = appointment.phases.get()
    mirror.emulator.state.cancel_booking(anna_phase.calcom_booking_uid, "make room")
    clash = _direct_booking(mirror, mirror.hosts[str(salon.anna.pk)], appointment.start, {})

    report = reconcile_company(salon.company, env)

    blocks = {b.external_id: b.staff_id for b in ExternalBusyBlock.objects.all()}
    assert blocks == {walk_in.uid: salon.ben.pk, clash.uid: salon.anna.pk}
    assert report.external_blocks == 2
    (drift,) = SyncDrift.objects.filter(kind=DriftKind.EXTERNAL_OVERLAP)
    assert drift.reference == clash.uid

    mirror.emulator.state.cancel_booking(walk_in.uid, "gone")
    reconcile_company(salon.company, env)
    assert not ExternalBusyBlock.objects.filter(external_id=walk_in.uid).exists()


def test_the_reconcile_command_prints_its_counts(
    salon: SimpleNamespace, mirror: Mirror, capsys: Any, monkeypatch: Any, env: SyncEnv
) -> None:
    monkeypatch.setattr(
        "phasebook.calsync.management.commands.calcom_reconcile.default_env", lambda: env
    )
    appointment = book(salon, service=salon.cut)
    drain(env)
    phase = appointment.phases.get()
    mirror.emulator.state.cancel_booking(phase.calcom_booking_uid, "deleted by hand")

    call_command("calcom_reconcile", "--company", "salon-a")

    assert "fehlend 1" in capsys.readouterr().out
    phase.refresh_from_db()
    (booking,) = mirror.live_bookings()
    assert phase.calcom_booking_uid == booking.uid


WEBHOOK_SECRET = "whsec-test"


def _deliver(company_slug: str, body: dict[str, Any], secret: str = WEBHOOK_SECRET) -> Any:
    raw = json.dumps(body).encode()
    return Client().post(
        f"/webhooks/calcom/{company_slug}",
        raw,
        content_type="application/json",
        headers={"X-Cal-Signature-256": signature(secret, raw)},
    )


def _webhook(mirror: Mirror, trigger: Any, booking: Any) -> dict[str, Any]:
    payload = event_payload(mirror.emulator.state, BookingEvent(trigger, booking))
    return {"triggerEvent": trigger, "createdAt": "2030-01-01T00:00:00Z", "payload": payload}


def test_a_signed_webhook_for_a_direct_booking_blocks_the_stylist_once(
    salon: SimpleNamespace, mirror: Mirror, dispatched: list[Any]
) -> None:
    start = book(salon, service=salon.cut).start + timedelta(hours=3)
    walk_in = _direct_booking(mirror, mirror.hosts[str(salon.anna.pk)], start, {})
    body = _webhook(mirror, "BOOKING_CREATED", walk_in)

    first, second = _deliver("salon-a", body), _deliver("salon-a", body)

    assert (first.status_code, first.json()) == (200, {"status": "ok"})
    assert second.json() == {"status": "duplicate"}
    (block,) = ExternalBusyBlock.objects.all()
    assert (block.staff_id, block.start, block.external_id) == (salon.anna.pk, start, walk_in.uid)
    assert WebhookDelivery.objects.count() == 1


def test_our_own_echo_creates_nothing(salon: SimpleNamespace, mirror: Mirror, env: SyncEnv) -> None:
    appointment = book(salon, service=salon.cut)
    drain(env)
    (ours,) = mirror.live_bookings()

    response = _deliver("salon-a", _webhook(mirror, "BOOKING_CREATED", ours))

    assert response.status_code == 200
    assert not ExternalBusyBlock.objects.exists()
    assert appointment.phases.get().calcom_sync_status == SyncStatus.SYNCED


def test_a_webhook_with_a_wrong_signature_is_refused_in_german(
    salon: SimpleNamespace, mirror: Mirror
) -> None:
    response = _deliver(
        "salon-a", {"triggerEvent": "BOOKING_CREATED", "payload": {}}, secret="guessed"
    )

    assert response.status_code == 403
    assert response.json()["message"] == "Die Webhook-Signatur ist ungültig."
    assert not WebhookDelivery.objects.exists()


def test_a_webhook_for_another_salon_cannot_use_this_salons_secret(
    salon: SimpleNamespace, other_salon: SimpleNamespace, mirror: Mirror
) -> None:
    response = _deliver("salon-b", {"triggerEvent": "BOOKING_CREATED", "payload": {}})

    assert response.status_code == 403  # as a bad signature: it tells nothing about salon-b


def test_a_phase_booking_cancelled_in_cal_com_is_recreated(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon, service=salon.cut)
    drain(env)
    phase = appointment.phases.get()
    event = mirror.emulator.state.cancel_booking(phase.calcom_booking_uid, "by hand")

    _deliver("salon-a", _webhook(mirror, "BOOKING_CANCELLED", event.booking))
    drain(env)

    phase.refresh_from_db()
    (booking,) = mirror.live_bookings()
    assert phase.calcom_booking_uid == booking.uid
