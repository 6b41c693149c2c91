"""Reconciliation acts only on a listing that can be complete, touches only what differs, and
goes through every salon, saying for each difference why it was not repaired."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from phasebook.booking.models import AppointmentPhase, SyncStatus
from phasebook.calcom.client import CalcomClient
from phasebook.calcom.models import CalcomConnection, CalcomEventMap
from phasebook.calcom.schemas import BookingFilters, BookingPage
from phasebook.calsync.env import SyncEnv
from phasebook.calsync.models import DriftKind, PhaseSyncTask, SyncDrift, TaskStatus
from phasebook.calsync.reconcile import reconcile_all, reconcile_company
from phasebook.calsync.sync import drain
from tests.support.booking import book
from tests.support.clock import FakeClock
from tests.support.mirror import TEAM_ID, Mirror, connect_salon


def _synced(salon: SimpleNamespace, env: SyncEnv, count: int = 3) -> list[Any]:
    appointments = [book(salon, service=salon.cut, hour=9 + 2 * n) for n in range(count)]
    drain(env)
    return appointments


def _outbox() -> list[tuple[Any, ...]]:
    return list(
        PhaseSyncTask.objects.order_by("pk").values_list("pk", "generation", "status", "attempts")
    )


def _record_listings(monkeypatch: pytest.MonkeyPatch) -> list[BookingFilters]:
    asked: list[BookingFilters] = []
    original = CalcomClient.list_bookings

    def listing(client: CalcomClient, filters: BookingFilters | None = None) -> BookingPage:
        asked.append(filters or BookingFilters())
        return original(client, filters)

    monkeypatch.setattr(CalcomClient, "list_bookings", listing)
    return asked


def test_a_reconcile_of_a_salon_in_sync_requeues_nothing(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    _synced(salon, env)
    before = _outbox()

    report = reconcile_company(salon.company, env)

    assert report.is_clean, report.summary()
    assert (report.live_phases, report.calcom_bookings) == (3, 3)
    assert report.appointments == set()
    assert _outbox() == before
    assert set(AppointmentPhase.objects.values_list("calcom_sync_status", flat=True)) == {
        SyncStatus.SYNCED
    }


def test_with_a_key_that_cannot_list_the_teams_bookings_reconcile_refuses_and_requeues_nothing(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    _synced(salon, env)
    mirror.emulator.state.set_team_role(TEAM_ID, mirror.admin_id, "MEMBER")
    before = _outbox()

    report = reconcile_company(salon.company, env)

    assert "cannot list or cancel the team's bookings" in report.refused
    assert "Rolle Admin geben" in report.refused
    assert (report.missing, report.appointments) == (0, set())
    assert _outbox() == before
    assert not AppointmentPhase.objects.exclude(calcom_sync_status=SyncStatus.SYNCED).exists()
    connection = CalcomConnection.objects.get(company=salon.company)
    assert connection.access_problem == report.refused


def test_a_listing_that_lacks_bookings_which_exist_is_not_acted_on(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    _synced(salon, env)
    before = _outbox()
    original = CalcomClient.list_bookings

    def truncated(client: CalcomClient, filters: BookingFilters | None = None) -> BookingPage:
        page = original(client, filters)
        return page.model_copy(update={"bookings": page.bookings[:1]})

    monkeypatch.setattr(CalcomClient, "list_bookings", truncated)
    report = reconcile_company(salon.company, env)

    assert "listing incomplete" in report.refused
    assert report.missing == 0
    assert _outbox() == before


def test_a_failed_page_is_tried_again_and_only_live_bookings_are_listed(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    _synced(salon, env)
    asked = _record_listings(monkeypatch)
    mirror.emulator.inject_fault("server_error", count=2, method="GET", path_prefix="/v2/bookings")

    report = reconcile_company(salon.company, env)

    assert report.is_clean, report.summary()
    assert len(asked) == 3  # two failed tries of the one page, then the page
    assert {filters.status for filters in asked} == {("upcoming", "past")}


def test_reconcile_finds_and_repairs_only_the_phases_that_differ(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    kept, lost, _ = _synced(salon, env)
    lost_phase = lost.phases.get()
    mirror.emulator.state.cancel_booking(lost_phase.calcom_booking_uid, "deleted by hand")
    kept_task = PhaseSyncTask.objects.get(appointment=kept)

    report = reconcile_company(salon.company, env)
    drain(env)

    assert (report.missing, report.phases) == (1, {lost_phase.pk})
    assert PhaseSyncTask.objects.get(pk=kept_task.pk).generation == kept_task.generation
    assert len(mirror.live_for_phase(lost_phase.pk)) == 1
    assert reconcile_company(salon.company, env).is_clean


def test_every_salon_is_reconciled_even_when_one_of_them_fails(
    salon: SimpleNamespace, other_salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    connect_salon(mirror.emulator, mirror.url, other_salon.company, [other_salon.anna])
    _synced(salon, env)
    lost = _synced(other_salon, env, count=1)[0].phases.get()
    mirror.emulator.state.cancel_booking(lost.calcom_booking_uid, "deleted by hand")
    broken = CalcomConnection.objects.get(company=salon.company)
    broken.api_key = "cal_revoked"
    broken.save()

    first, second = reconcile_all(env)

    assert "lehnt den API-Key von „salon-a“ ab" in first.refused
    assert (second.company, second.missing, second.phases) == ("salon-b", 1, {lost.pk})


def test_a_phase_that_gave_up_for_good_is_drift_with_its_reason_and_a_fixed_one_is_revived(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, clock: FakeClock
) -> None:
    appointment = book(salon, service=salon.cut)
    event_map = CalcomEventMap.objects.get(service=salon.cut, staff=salon.anna)
    event_map.delete()
    drain(env)
    task = PhaseSyncTask.objects.get(appointment=appointment)
    assert (task.status, task.error_kind) == (TaskStatus.FAILED, "unmapped")

    report = reconcile_company(salon.company, env)

    (drift,) = SyncDrift.objects.filter(kind=DriftKind.UNMAPPED, resolved_at=None)
    assert "calcom_provision --company salon-a" in drift.detail
    assert report.phases == set()
    assert any("calcom_provision" in reason for reason in report.unrepaired)

    clock.advance(minutes=1)
    event_map.pk = None
    event_map.save()  # the salon provisioned again
    revived = reconcile_company(salon.company, env)
    drain(env)

    assert revived.phases == {task.phase_id}
    assert appointment.phases.get().calcom_sync_status == SyncStatus.SYNCED
    drift.refresh_from_db()
    assert reconcile_company(salon.company, env).is_clean
    drift.refresh_from_db()
    assert drift.resolved_at is not None
