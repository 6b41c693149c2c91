"""Sync-Zustand: counts, the oldest pending phase, open findings, a bulk retry, and a notice
in the Terminbuch whenever something needs a person."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from phasebook.booking.models import Appointment
from phasebook.calsync.models import DriftKind, PhaseSyncTask, SyncDrift
from tests.support.booking import a_wednesday, book_at

PAGE = "/admin/sync-zustand/"


def count(page: str, name: str) -> str:
    return page.split(f'data-count="{name}">')[1].split("<")[0]


def outbox_row(appointment: Appointment, key: str, phase_status: str, task_status: str) -> None:
    """The state the sync leaves behind: the phase's status and its outbox row."""
    phase = appointment.phases.get(segment_key=key)
    phase.calcom_sync_status = phase_status
    phase.save(update_fields=["calcom_sync_status"])
    now = timezone.now()
    PhaseSyncTask.objects.create(
        phase=phase,
        appointment=appointment,
        company=appointment.company,
        action="create",
        status=task_status,
        next_attempt_at=now,
        pending_since=now,
    )


@pytest.fixture
def failing(salon: SimpleNamespace) -> Appointment:
    colour = book_at(salon.company, salon.colour, salon.anna, a_wednesday(10), "Maria Berger")
    outbox_row(colour, "B", "failed", "failed")  # given up: a person has to act
    outbox_row(colour, "C", "pending", "pending")
    Appointment.objects.filter(pk=colour.pk).update(
        calcom_sync_status="failed", requires_manual_review=True
    )
    return colour


def test_the_page_counts_what_is_pending_failed_and_given_up(
    portal: Client, failing: Appointment, other_salon: SimpleNamespace
) -> None:
    foreign = book_at(other_salon.company, other_salon.cut, other_salon.anna, a_wednesday(9), "F")
    outbox_row(foreign, "A", "failed", "failed")
    SyncDrift.objects.create(
        company=failing.company,
        kind=DriftKind.EXTERNAL_OVERLAP,
        reference="uid-9",
        detail="Fremdbuchung 10:00–10:30",
        detected_at=timezone.now(),
    )

    page = portal.get(PAGE).content.decode()

    assert (
        count(page, "pending"),
        count(page, "failed"),
        count(page, "manual_review"),
        count(page, "findings"),
    ) == ("1", "1", "1", "1")
    assert "Fremdbuchung 10:00–10:30" in page
    assert "Formschnitt · Maria Berger" in page  # the oldest pending phase, linked


def test_the_terminbuch_says_when_the_mirror_needs_a_person(
    portal: Client, salon: SimpleNamespace, failing: Appointment
) -> None:
    day = f"?date={failing.start.date()}"

    assert (
        "Cal.com braucht Aufmerksamkeit" in portal.get(f"/admin/terminbuch/{day}").content.decode()
    )
    failing.phases.update(calcom_sync_status="synced")
    PhaseSyncTask.objects.filter(appointment=failing).update(status="done")
    Appointment.objects.filter(pk=failing.pk).update(requires_manual_review=False)
    assert "Cal.com braucht" not in portal.get(f"/admin/terminbuch/{day}").content.decode()


def test_one_button_retries_every_failed_appointment(
    portal: Client,
    failing: Appointment,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dispatched: list[Any] = []
    monkeypatch.setattr(
        "phasebook.calsync.manual.dispatch", lambda task, *args: dispatched.append(args)
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = portal.post(PAGE)

    assert response.status_code == 302
    assert dispatched == [(str(failing.pk),)]
    assert set(
        failing.phases.filter(staff_required=True).values_list("calcom_sync_status", flat=True)
    ) == {"pending"}
