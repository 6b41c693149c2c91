"""`calcom_provision`, `calcom_rollback`, `calcom_check`: behaviour and bad input."""

from __future__ import annotations

import socket
from io import StringIO

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError

from phasebook.calcom.models import CalcomConnection, CalcomEventMap, CalcomEventMapChange
from phasebook.calcom.provisioning import event_type_request, event_type_slug, provision
from phasebook.calcom.setup_check import targets
from phasebook.calcom_emulator import RunningEmulator
from tests.calcom.provisioning_helpers import TEAM_ID, CalcomSalon, colour_salon

pytestmark = pytest.mark.django_db


@pytest.fixture
def salon(running_emulator: RunningEmulator) -> CalcomSalon:
    return colour_salon(running_emulator.emulator, running_emulator.url)


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def nothing_was_written() -> bool:
    return not CalcomEventMap.objects.exists() and not CalcomEventMapChange.objects.exists()


def test_a_second_run_creates_nothing(salon: CalcomSalon) -> None:
    run("calcom_provision", "--company", "salon-a")
    created = salon.team_event_type_ids()

    output = run("calcom_provision", "--company", "salon-a")

    assert len(created) == 24
    assert salon.team_event_type_ids() == created
    assert "0 anzulegen/angelegt, 0 übernommen, 24 unverändert" in output
    assert CalcomEventMapChange.objects.values("batch").distinct().count() == 1


def test_dry_run_prints_the_plan_and_changes_nothing(salon: CalcomSalon) -> None:
    output = run("calcom_provision", "--company", "salon-a", "--dry-run")

    assert "[anlegen] Ansatzfärbung / A Ansatzfärbung auftragen / Anna" in output
    assert "24 anzulegen/angelegt" in output
    assert salon.team_event_type_ids() == set()
    assert nothing_was_written()


def test_event_types_are_single_host_with_the_segment_title_length_and_location(
    salon: CalcomSalon,
) -> None:
    run("calcom_provision", "--company", "salon-a")
    event_map = CalcomEventMap.objects.get(
        service__name="Ansatzfärbung", segment_key="A", staff__name="Anna"
    )

    created = salon.emulator.state.event_types[event_map.event_type_id]

    assert created.title == "Ansatzfärbung: Ansatzfärbung auftragen"
    assert created.host_ids == (event_map.staff.calcom_user_id,)
    assert created.length_in_minutes == 30
    assert created.locations[0]["address"] == "Vor Ort"
    assert (created.before_event_buffer, created.after_event_buffer) == (0, 0)
    assert created.metadata == {}


def test_a_stylist_without_a_calcom_user_is_reported_and_skipped(salon: CalcomSalon) -> None:
    ben = salon.stylists[1]
    ben.calcom_user_id = None
    ben.save()

    output = run("calcom_provision", "--company", "salon-a")

    assert "Ben hat keine Cal.com-Benutzer-ID" in output
    assert len(salon.team_event_type_ids()) == 12
    assert not CalcomEventMap.objects.filter(staff=ben).exists()


def test_an_event_type_left_behind_by_a_crash_is_reused_not_duplicated(
    salon: CalcomSalon,
) -> None:
    target = targets(salon.company)[0]
    with salon.client() as client:
        request = event_type_request(salon.company, target, target.staff.calcom_user_id or 0)
        orphan = client.create_team_event_type(TEAM_ID, request)

    run("calcom_provision", "--company", "salon-a")

    assert len(salon.team_event_type_ids()) == 24
    assert (
        CalcomEventMap.objects.get(
            service=target.service, segment_key=target.segment.key, staff=target.staff
        ).event_type_id
        == orphan.id
    )


def test_a_managed_parent_in_a_map_is_reported_with_the_fix_and_replaced(
    salon: CalcomSalon,
) -> None:
    run("calcom_provision", "--company", "salon-a")
    event_map = CalcomEventMap.objects.order_by("pk").first()
    assert event_map is not None
    (parent,) = salon.emulator.state.add_team_event_type(
        TEAM_ID,
        "managed-colour",
        30,
        "managed",
        (event_map.staff.calcom_user_id or 0,),
        with_children=False,
    )
    CalcomEventMap.objects.filter(pk=event_map.pk).update(event_type_id=parent.id)

    with pytest.raises(CommandError, match="1 Phasen nicht buchbar") as failed:
        run("calcom_check", "--company", "salon-a")
    output = run("calcom_provision", "--company", "salon-a")

    assert "verwalteter (managed) Eltern-Event-Type" in str(failed.value)
    assert "calcom_provision ersetzt sie" in str(failed.value)
    assert "[übernehmen]" in output  # its own single-host event type still exists
    assert CalcomEventMapChange.objects.filter(old_event_type_id=parent.id).exists()
    assert parent.id in salon.emulator.state.event_types  # never deleted
    assert run("calcom_check", "--company", "salon-a").startswith("Alle Phasen")


def test_maps_pointing_at_vanished_event_types_are_provisioned_again(salon: CalcomSalon) -> None:
    run("calcom_provision", "--company", "salon-a")
    salon.emulator.state.event_types.clear()  # like a fresh demo emulator

    run("calcom_provision", "--company", "salon-a")

    assert len(salon.team_event_type_ids()) == 24
    assert set(CalcomEventMap.objects.values_list("event_type_id", flat=True)) == (
        salon.team_event_type_ids()
    )


def test_renaming_a_service_keeps_its_event_types(salon: CalcomSalon) -> None:
    run("calcom_provision", "--company", "salon-a")
    target = targets(salon.company)[0]
    slug = event_type_slug(salon.company, target)
    salon.services[0].name = "Ansatzfarbe"
    salon.services[0].save()

    output = run("calcom_provision", "--company", "salon-a")

    assert "0 anzulegen/angelegt, 0 übernommen, 24 unverändert" in output
    assert event_type_slug(salon.company, targets(salon.company)[0]) == slug


def test_verify_books_and_cancels_a_test_booking_per_new_event_type(salon: CalcomSalon) -> None:
    run("calcom_provision", "--company", "salon-a", "--verify")

    bookings = list(salon.emulator.state.bookings.values())
    assert len(bookings) == 24
    assert {booking.status for booking in bookings} == {"cancelled"}


def test_rollback_restores_the_previous_ids_and_is_recorded(salon: CalcomSalon) -> None:
    run("calcom_provision", "--company", "salon-a")
    CalcomEventMap.objects.update(event_type_id=999_999)  # every map broken
    run("calcom_provision", "--company", "salon-a")

    run("calcom_rollback", "--company", "salon-a")

    assert set(CalcomEventMap.objects.values_list("event_type_id", flat=True)) == {999_999}
    assert CalcomEventMapChange.objects.filter(reason="rollback").count() == 24
    run("calcom_rollback", "--company", "salon-a")  # the first run: the maps did not exist
    assert not CalcomEventMap.objects.exists()


def test_rollback_without_history_says_so(salon: CalcomSalon) -> None:
    assert "keine Zuordnungsänderung" in run("calcom_rollback", "--company", "salon-a")


def test_the_deploy_check_lists_unmapped_phases_without_calling_calcom(salon: CalcomSalon) -> None:
    salon.emulator.state.users.clear()  # any network call would now fail with 401

    warnings = run_checks(tags=["calcom"], include_deployment_checks=True, databases=["default"])

    assert len(warnings) == 24
    assert "kein Event Type zugeordnet" in warnings[0].msg


# --- bad input: a clear message naming the fix, and nothing written ------------------------


def test_an_unknown_company_is_named_with_the_known_ones(salon: CalcomSalon) -> None:
    with pytest.raises(CommandError, match=r"Unbekannter Salon „nope“.*salon-a"):
        run("calcom_provision", "--company", "nope")
    assert nothing_was_written()


def test_a_company_without_a_connection_is_told_how_to_connect(salon: CalcomSalon) -> None:
    CalcomConnection.objects.all().delete()
    with pytest.raises(CommandError, match="calcom_connect --company salon-a"):
        run("calcom_provision", "--company", "salon-a")
    assert nothing_was_written()


def test_a_connection_without_an_api_key_is_told_to_set_one(salon: CalcomSalon) -> None:
    CalcomConnection.objects.update(api_key_encrypted="")
    with pytest.raises(CommandError, match=r"kein Cal.com-API-Key.*--api-key"):
        run("calcom_provision", "--company", "salon-a")
    assert nothing_was_written()


def test_a_wrong_api_key_is_reported_as_such(salon: CalcomSalon) -> None:
    connection = CalcomConnection.objects.get()
    connection.api_key = "cal_test_wrong"
    connection.save()
    with pytest.raises(CommandError, match=r"lehnt den API-Key.*HTTP 401.*calcom_connect"):
        run("calcom_provision", "--company", "salon-a")
    assert nothing_was_written()


def test_an_unreachable_calcom_names_the_url_to_check(salon: CalcomSalon) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    CalcomConnection.objects.update(base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(CommandError, match=f"127.0.0.1:{port} ist nicht erreichbar.*Basis-URL"):
        run("calcom_provision", "--company", "salon-a")
    assert nothing_was_written()


def test_calcom_check_fails_before_provisioning_and_passes_after(salon: CalcomSalon) -> None:
    with pytest.raises(CommandError, match="24 Phasen nicht buchbar"):
        run("calcom_check", "--company", "salon-a")
    with salon.client() as client:
        provision(salon.company, client, TEAM_ID)
    assert "Alle Phasen" in run("calcom_check", "--company", "salon-a")


def test_calcom_check_fails_naming_the_fix_when_the_key_cannot_list_the_teams_bookings(
    salon: CalcomSalon,
) -> None:
    with salon.client() as client:
        provision(salon.company, client, TEAM_ID)
    owner = next(u for u in salon.emulator.state.users.values() if u.username == "salon-a-owner")
    salon.emulator.state.set_team_role(TEAM_ID, owner.id, "MEMBER")

    with pytest.raises(CommandError) as failed:
        run("calcom_check", "--company", "salon-a")

    message = str(failed.value)
    assert "cannot list or cancel the team's bookings" in message
    assert "Rolle Admin geben" in message
    assert "phasebook calcom_connect --company salon-a --api-key KEY" in message
    assert "nicht buchbar" not in message  # the event types themselves are fine
    connection = CalcomConnection.objects.get(company=salon.company)
    assert connection.access_problem == message
    assert connection.access_checked_at is not None

    salon.emulator.state.set_team_role(TEAM_ID, owner.id, "ADMIN")
    assert run("calcom_check", "--company", "salon-a").startswith("Alle Phasen")
    connection.refresh_from_db()
    assert connection.access_problem == ""
