"""The mirror's state read from the database: `calsync.health.sync_health` (what the portal
shows) and the /metrics gauges built from it report the same numbers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from phasebook.booking.services import reschedule_appointment
from phasebook.calsync.env import SyncEnv
from phasebook.calsync.health import sync_health
from phasebook.calsync.models import PhaseSyncTask, ReconcileRun
from phasebook.calsync.reconcile import ReconcileReport, reconcile_company, remember_run
from phasebook.calsync.sync import drain
from phasebook.salons.models import Company
from tests.factories import ACTOR
from tests.support.booking import book
from tests.support.clock import FakeClock
from tests.support.mirror import Mirror
from tests.support.scraping import sample, scrape


def only(company: Company) -> object:
    return Company.objects.filter(pk=company.pk)


@pytest.fixture
def refused_creates(mirror: Mirror) -> Iterator[None]:
    """Cal.com answers every create with 401: the sync gives up at once (permanent)."""
    mirror.emulator.inject_fault(
        "server_error", count=None, status_code=401, method="POST", path_prefix="/v2/bookings"
    )
    yield
    mirror.emulator.clear_faults()


def test_a_given_up_composite_is_pending_nowhere_and_in_manual_review(
    salon: SimpleNamespace,
    other_salon: SimpleNamespace,
    mirror: Mirror,
    env: SyncEnv,
    refused_creates: None,
) -> None:
    book(salon)  # four staff-required phases
    drain(env)

    health = sync_health(only(salon.company))
    assert (health.phases_pending, health.phases_failed, health.phases_given_up) == (0, 4, 4)
    assert health.appointments_manual_review == 1
    assert health.oldest_pending_since is None
    empty = sync_health(only(other_salon.company))
    assert (empty.phases_failed, empty.appointments_manual_review) == (0, 0)


def test_a_retrying_phase_stays_pending_since_its_first_request(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, clock: FakeClock
) -> None:
    mirror.emulator.inject_fault("server_error", count=None, method="POST")
    appointment = book(salon, service=salon.cut)
    requested = PhaseSyncTask.objects.get(appointment=appointment).pending_since
    drain(env)
    clock.advance(minutes=20)
    reschedule_appointment(
        salon.company, appointment.pk, appointment.start + timedelta(hours=1), actor=ACTOR
    )
    drain(env)

    health = sync_health(only(salon.company))
    assert (health.phases_pending, health.phases_failed) == (1, 1)
    assert health.oldest_pending_since == requested
    assert health.oldest_pending_age(requested + timedelta(minutes=16)) == timedelta(minutes=16)


def test_a_synced_phase_is_no_longer_pending(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    appointment = book(salon, service=salon.cut)
    drain(env)

    assert PhaseSyncTask.objects.get(appointment=appointment).pending_since is None
    health = sync_health(only(salon.company))
    assert (health.phases_pending, health.oldest_pending_since) == (0, None)


def test_reconciliation_records_when_it_ran_and_what_it_found(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, clock: FakeClock
) -> None:
    book(salon, service=salon.cut)
    drain(env)
    mirror.emulator.state.bookings.clear()  # Cal.com lost the booking

    reconcile_company(salon.company, env)

    run = ReconcileRun.objects.get(company=salon.company)
    assert run.ran_at == run.completed_at == clock.now
    assert (run.missing, run.refused) == (1, "")
    reconcile = sync_health(only(salon.company)).reconcile
    assert (reconcile.salons, reconcile.stalest_completed_at) == (1, clock.now)
    assert reconcile.found["missing"] == 1


def test_a_refused_reconciliation_is_not_a_completed_one(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, clock: FakeClock
) -> None:
    reconcile_company(salon.company, env)
    completed = clock.now
    clock.advance(minutes=15)

    remember_run(
        salon.company, ReconcileReport(salon.company.slug, refused="Schlüssel fehlt"), clock.now
    )

    run = ReconcileRun.objects.get(company=salon.company)
    assert (run.ran_at, run.completed_at, run.refused) == (clock.now, completed, "Schlüssel fehlt")
    reconcile = sync_health(only(salon.company)).reconcile
    assert (reconcile.stalest_completed_at, reconcile.refused) == (completed, 1)


def test_a_salon_never_reconciled_counts_from_its_connection(
    salon: SimpleNamespace, mirror: Mirror
) -> None:
    reconcile = sync_health(only(salon.company)).reconcile

    assert reconcile.never_completed == 1
    assert reconcile.stalest_completed_at == salon.company.calcom_connection.created_at


def test_metrics_report_what_the_portal_reads(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv, refused_creates: None
) -> None:
    book(salon)
    book(salon, service=salon.cut, hour=15)
    drain(env)

    text = scrape()
    health = sync_health(Company.objects.all())
    assert sample(text, "phasebook_calcom_phases_given_up") == health.phases_given_up == 5
    assert sample(text, "phasebook_calcom_phases_failed") == health.phases_failed == 5
    assert sample(text, "phasebook_calcom_phases_pending") == health.phases_pending == 0
    assert sample(text, "phasebook_calcom_manual_review_appointments") == 2
    assert sample(text, "phasebook_calcom_oldest_pending_phase_age_seconds") == 0
    assert sample(text, "phasebook_calcom_reconcile_last_run_timestamp_seconds") == (
        health.reconcile.stalest_completed_at.timestamp()  # type: ignore[union-attr]
    )
    assert sample(text, "phasebook_database_state_up") == 1


def test_expired_holds_are_counted_from_the_database(salon: SimpleNamespace) -> None:
    before = sample(scrape(), "phasebook_holds_expired_total")
    hold = book(salon, service=salon.cut)
    hold.status, hold.hold_expires_at = "held", timezone.now() - timedelta(seconds=1)
    hold.save(update_fields=["status", "hold_expires_at"])

    assert sample(scrape(), "phasebook_holds_expired_total") == before + 1


def test_without_a_database_the_scrape_still_reports_the_process(db: None) -> None:
    with mock.patch(
        "phasebook.monitoring.collector.sync_health", side_effect=OperationalError("down")
    ):
        text = scrape()

    assert sample(text, "phasebook_database_state_up") == 0
    assert "phasebook_calcom_sync_attempts_total" in text
    assert "phasebook_calcom_phases_pending " not in text
