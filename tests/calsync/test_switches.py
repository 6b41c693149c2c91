"""Whose bookings go to Cal.com, and when Cal.com is asked before a booking."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest

from phasebook.booking.models import SyncStatus
from phasebook.calcom.models import CalcomConnection
from phasebook.calsync.models import CalcomSyncSettings, PhaseSyncTask
from phasebook.calsync.switches import SWITCHES_SQL
from phasebook.salons.models import Service, Staff
from tests.support.booking import book
from tests.support.mirror import Mirror


def test_only_a_company_with_an_enabled_connection_queues_its_bookings(
    salon: SimpleNamespace, other_salon: SimpleNamespace, mirror: Mirror
) -> None:
    synced = book(salon, service=salon.cut)
    CalcomConnection.objects.filter(company=salon.company).update(is_enabled=False)
    paused = book(salon, service=salon.cut, hour=12)
    unconnected = book(other_salon, service=other_salon.cut)

    assert PhaseSyncTask.objects.filter(appointment=synced).count() == 1
    assert synced.calcom_sync_status == SyncStatus.PENDING
    for appointment in (paused, unconnected):
        assert not PhaseSyncTask.objects.filter(appointment=appointment).exists()
        assert appointment.calcom_sync_status == SyncStatus.NOT_REQUIRED


def test_cal_com_is_asked_before_booking_only_while_the_company_syncs_and_wants_it(
    salon: SimpleNamespace, mirror: Mirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[datetime] = []

    def agreeing(
        company: Any,
        service: Service,
        candidates: list[Staff],
        start: datetime,
        moving: Any,
        env: Any,
    ) -> list[Staff]:
        asked.append(start)
        return candidates

    monkeypatch.setattr("phasebook.calsync.slot_check._agreeing", agreeing)
    book(salon, service=salon.cut, hour=10)  # the check is off by default
    CalcomSyncSettings.objects.create(company=salon.company, slot_check_enabled=True)
    asked_for = book(salon, service=salon.cut, hour=12).start
    CalcomConnection.objects.filter(company=salon.company).update(is_enabled=False)
    book(salon, service=salon.cut, hour=14)  # the connection is paused

    assert asked == [asked_for]


def test_the_switches_query_names_the_models_tables() -> None:
    for model in (CalcomConnection, CalcomSyncSettings):
        assert f" FROM {model._meta.db_table} WHERE company_id = %s" in SWITCHES_SQL
