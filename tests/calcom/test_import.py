"""`calcom_import`: link existing Cal.com event types, never touch what our database owns."""

from __future__ import annotations

import json
import socket
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from phasebook.calcom.models import CalcomConnection, CalcomEventMap, CalcomEventMapChange
from phasebook.calcom.setup_check import Target, targets
from phasebook.calcom_emulator import RunningEmulator
from phasebook.calcom_emulator.state import EventType, SchedulingType
from phasebook.salons.models import Service, Staff
from tests.calcom.provisioning_helpers import TEAM_ID, CalcomSalon, colour_salon

pytestmark = pytest.mark.django_db


@pytest.fixture
def salon(running_emulator: RunningEmulator) -> CalcomSalon:
    return colour_salon(running_emulator.emulator, running_emulator.url)


@pytest.fixture
def anna_applies_colour(salon: CalcomSalon) -> Target:
    """Ansatzfärbung, segment A (30 min), performed by Anna."""
    return next(
        t
        for t in targets(salon.company)
        if (t.service.name, t.segment.key, t.staff.name) == ("Ansatzfärbung", "A", "Anna")
    )


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def hand_made(
    salon: CalcomSalon,
    target: Target,
    *,
    slug: str = "anna-farbe",
    minutes: int | None = None,
    title: str = "ansatzfärbung:  Ansatzfärbung auftragen",  # typed by hand: case and spacing
    scheduling_type: SchedulingType = "collective",
) -> EventType:
    """An event type someone created in Cal.com's UI, with the stylist as its only host."""
    return salon.emulator.state.add_event_type(
        None,
        slug,
        minutes or target.segment.duration_minutes,
        title=title,
        team_id=TEAM_ID,
        scheduling_type=scheduling_type,
        host_ids=(target.staff.calcom_user_id,),
    )


def linked_id(target: Target) -> int | None:
    found = CalcomEventMap.objects.filter(
        service=target.service, segment_key=target.segment.key, staff=target.staff
    ).first()
    return found.event_type_id if found else None


def row(model: type[Service] | type[Staff], pk: object) -> str:
    return json.dumps(model.objects.filter(pk=pk).values().get(), sort_keys=True, default=str)


def nothing_was_written() -> bool:
    return not CalcomEventMap.objects.exists() and not CalcomEventMapChange.objects.exists()


def test_a_hand_made_event_type_is_linked_by_its_single_host_and_title(
    salon: CalcomSalon, anna_applies_colour: Target
) -> None:
    event_type = hand_made(salon, anna_applies_colour)

    output = run("calcom_import", "--company", "salon-a")

    assert linked_id(anna_applies_colour) == event_type.id
    assert f"Ansatzfärbung auftragen / Anna: Event Type {event_type.id}" in output
    assert "1 verknüpft, 0 unverändert, 23 nicht verknüpft" in output
    change = CalcomEventMapChange.objects.get()
    assert (change.reason, change.old_event_type_id, change.new_event_type_id) == (
        "import",
        None,
        event_type.id,
    )


def test_event_types_with_our_slugs_are_linked_again_after_the_maps_were_lost(
    salon: CalcomSalon,
) -> None:
    run("calcom_provision", "--company", "salon-a")
    provisioned = set(CalcomEventMap.objects.values_list("event_type_id", flat=True))
    CalcomEventMap.objects.all().delete()

    output = run("calcom_import", "--company", "salon-a")

    assert "24 verknüpft" in output
    assert set(CalcomEventMap.objects.values_list("event_type_id", flat=True)) == provisioned


def test_a_different_length_is_reported_and_nothing_local_changes(
    salon: CalcomSalon, anna_applies_colour: Target
) -> None:
    event_type = hand_made(salon, anna_applies_colour, minutes=45)
    service_before = row(Service, anna_applies_colour.service.pk)
    staff_before = row(Staff, anna_applies_colour.staff.pk)

    output = run("calcom_import", "--company", "salon-a")

    assert f"Event Type {event_type.id} dauert 45 statt 30 Minuten" in output
    assert "calcom_provision legt einen Event Type mit der richtigen Länge an" in output
    assert row(Service, anna_applies_colour.service.pk) == service_before
    assert row(Staff, anna_applies_colour.staff.pk) == staff_before
    assert nothing_was_written()


def test_a_managed_parent_is_never_imported(
    salon: CalcomSalon, anna_applies_colour: Target
) -> None:
    parent = hand_made(salon, anna_applies_colour, scheduling_type="managed")

    output = run("calcom_import", "--company", "salon-a")

    assert f"Event Type {parent.id} ist ein verwalteter (managed) Eltern-Event-Type" in output
    assert nothing_was_written()


def test_a_managed_parent_with_the_same_title_does_not_hide_a_bookable_one(
    salon: CalcomSalon, anna_applies_colour: Target
) -> None:
    hand_made(salon, anna_applies_colour, slug="managed-farbe", scheduling_type="managed")
    single_host = hand_made(salon, anna_applies_colour)

    run("calcom_import", "--company", "salon-a")

    assert linked_id(anna_applies_colour) == single_host.id


def test_two_matching_event_types_are_reported_not_guessed(
    salon: CalcomSalon, anna_applies_colour: Target
) -> None:
    first = hand_made(salon, anna_applies_colour)
    second = hand_made(salon, anna_applies_colour, slug="anna-farbe-2")

    output = run("calcom_import", "--company", "salon-a")

    assert f"mehrere Event Types passen ({first.id}, {second.id})" in output
    assert nothing_was_written()


def test_a_second_run_changes_nothing(salon: CalcomSalon, anna_applies_colour: Target) -> None:
    hand_made(salon, anna_applies_colour)
    run("calcom_import", "--company", "salon-a")

    output = run("calcom_import", "--company", "salon-a")

    assert "0 verknüpft, 1 unverändert, 23 nicht verknüpft" in output
    assert "Änderungs-Batch" not in output
    assert CalcomEventMapChange.objects.count() == 1


def test_a_bookable_map_is_never_replaced(salon: CalcomSalon, anna_applies_colour: Target) -> None:
    run("calcom_provision", "--company", "salon-a")
    provisioned = linked_id(anna_applies_colour)
    hand_made(salon, anna_applies_colour)

    output = run("calcom_import", "--company", "salon-a")

    assert "0 verknüpft, 24 unverändert" in output
    assert linked_id(anna_applies_colour) == provisioned


def test_a_broken_map_is_replaced_and_rollback_restores_it(
    salon: CalcomSalon, anna_applies_colour: Target
) -> None:
    CalcomEventMap.objects.create(
        company=salon.company,
        service=anna_applies_colour.service,
        segment_key="A",
        staff=anna_applies_colour.staff,
        event_type_id=999_999,  # gone from Cal.com
    )
    event_type = hand_made(salon, anna_applies_colour)

    run("calcom_import", "--company", "salon-a")
    assert linked_id(anna_applies_colour) == event_type.id

    run("calcom_rollback", "--company", "salon-a")
    assert linked_id(anna_applies_colour) == 999_999


def test_rollback_undoes_an_import(salon: CalcomSalon, anna_applies_colour: Target) -> None:
    hand_made(salon, anna_applies_colour)
    run("calcom_import", "--company", "salon-a")

    run("calcom_rollback", "--company", "salon-a")

    assert not CalcomEventMap.objects.exists()
    assert CalcomEventMapChange.objects.filter(reason="rollback").count() == 1


def test_dry_run_shows_the_plan_and_writes_nothing(
    salon: CalcomSalon, anna_applies_colour: Target
) -> None:
    hand_made(salon, anna_applies_colour)

    output = run("calcom_import", "--company", "salon-a", "--dry-run")

    assert "Import-Plan (dry run, nichts geändert)" in output
    assert "1 verknüpft" in output
    assert nothing_was_written()


# --- bad input: a clear message naming the fix, and nothing written ------------------------


def test_an_unknown_company_is_named_with_the_known_ones(salon: CalcomSalon) -> None:
    with pytest.raises(CommandError, match=r"Unbekannter Salon „nope“.*salon-a"):
        run("calcom_import", "--company", "nope")
    assert nothing_was_written()


def test_missing_credentials_say_how_to_set_them(
    salon: CalcomSalon, anna_applies_colour: Target
) -> None:
    hand_made(salon, anna_applies_colour)
    CalcomConnection.objects.update(api_key_encrypted="")
    with pytest.raises(CommandError, match=r"kein Cal.com-API-Key.*--api-key"):
        run("calcom_import", "--company", "salon-a")
    assert nothing_was_written()


def test_an_unreachable_calcom_names_the_url_to_check(salon: CalcomSalon) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    CalcomConnection.objects.update(base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(CommandError, match=f"127.0.0.1:{port} ist nicht erreichbar"):
        run("calcom_import", "--company", "salon-a")
    assert nothing_was_written()
