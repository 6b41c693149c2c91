"""The emulator behaves like Cal.com on every booking rule phasebook relies on (via our client)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from phasebook.calcom.client import CalcomApiVersions, CalcomClient
from phasebook.calcom.errors import (
    CalcomAuthError,
    CalcomBadRequestError,
    CalcomConflictError,
    CalcomHostBusyError,
    CalcomManagedEventTypeError,
    CalcomNotFoundError,
    CalcomUnprocessableError,
)
from phasebook.calcom.schemas import BookingFilters
from phasebook.calcom_emulator import WeeklySchedule
from tests.calcom.emulated import EmulatedCalcom, booking_request, tomorrow_at


def test_a_booking_gets_its_end_from_the_event_type_and_keeps_its_metadata(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    booking = calcom_client.create_booking(
        booking_request(calcom_emulator.event_type.id, tomorrow_at(9), phase_id="p1")
    )

    assert booking.end - booking.start == timedelta(minutes=30)
    assert booking.metadata == {"phase_id": "p1"}
    assert booking.status == "accepted"


def test_a_booking_on_a_managed_parent_is_refused_with_cal_coms_text(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    parent, *_ = calcom_emulator.emulator.state.add_team_event_type(
        7, "colour", 30, "managed", (calcom_emulator.user.id,), with_children=False
    )

    with pytest.raises(CalcomManagedEventTypeError) as caught:
        calcom_client.create_booking(booking_request(parent.id, tomorrow_at(9)))

    assert caught.value.calcom_message.startswith(
        f"Event type with id={parent.id} is the parent managed event type that can't be booked."
    )
    assert "single-host event type" in str(caught.value)
    assert not caught.value.retryable


def test_a_managed_child_is_bookable_and_its_parent_reports_managed_metadata(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    parent, child = calcom_emulator.emulator.state.add_team_event_type(
        7, "colour", 30, "managed", (calcom_emulator.user.id,)
    )

    calcom_client.create_booking(booking_request(child.id, tomorrow_at(9)))

    assert calcom_client.get_event_type(parent.id).is_managed_parent
    assert not calcom_client.get_event_type(child.id).is_managed_parent


def test_an_overlapping_booking_for_the_same_host_is_refused_as_host_busy(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    other = calcom_emulator.emulator.state.add_event_type(calcom_emulator.user.id, "cut", 45)
    calcom_client.create_booking(booking_request(calcom_emulator.event_type.id, tomorrow_at(9)))

    with pytest.raises(CalcomHostBusyError, match="User either already has booking at this time"):
        calcom_client.create_booking(booking_request(other.id, tomorrow_at(9, 15)))


def test_an_exact_duplicate_is_a_409_booking_conflict(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    request = booking_request(calcom_emulator.event_type.id, tomorrow_at(9))
    calcom_client.create_booking(request)

    with pytest.raises(CalcomConflictError, match="booking_conflict_error") as caught:
        calcom_client.create_booking(request)
    assert caught.value.status_code == 409


def test_back_to_back_phases_on_one_host_are_accepted(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    first = calcom_client.create_booking(
        booking_request(calcom_emulator.event_type.id, tomorrow_at(9))
    )
    second = calcom_client.create_booking(booking_request(calcom_emulator.event_type.id, first.end))
    assert second.start == first.end


def test_a_booking_outside_working_hours_is_refused_as_host_busy(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    nine_to_five = WeeklySchedule("Europe/Berlin", dict.fromkeys(range(7), (9 * 60, 17 * 60)))
    calcom_emulator.user.schedule = nine_to_five

    with pytest.raises(CalcomHostBusyError):
        calcom_client.create_booking(booking_request(calcom_emulator.event_type.id, tomorrow_at(5)))


def test_a_team_event_type_without_hosts_is_unprocessable(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    (team_type,) = calcom_emulator.emulator.state.add_team_event_type(7, "wash", 15, "collective")

    with pytest.raises(CalcomUnprocessableError, match="has no hosts"):
        calcom_client.create_booking(booking_request(team_type.id, tomorrow_at(9)))


def test_metadata_beyond_cal_coms_limits_is_refused_with_its_text(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    too_long_key = "k" * 41
    request = booking_request(calcom_emulator.event_type.id, tomorrow_at(9), **{too_long_key: 1})

    with pytest.raises(CalcomBadRequestError, match="Metadata must have at most 50 keys"):
        calcom_client.create_booking(request)


@pytest.mark.parametrize(
    "metadata",
    [
        {f"key{i}": i for i in range(51)},
        {"note": "x" * 501},
        {"nested": {"a": 1}},
        {"list": [1]},
    ],
)
def test_the_emulator_validates_metadata_like_cal_com(
    calcom_emulator: EmulatedCalcom, metadata: dict[str, object]
) -> None:
    response = post_booking(calcom_emulator, {"metadata": metadata})

    assert response.status_code == 400
    assert "Metadata must have at most 50 keys" in response.json()["error"]["message"]


def test_unknown_body_fields_are_stripped_not_rejected(calcom_emulator: EmulatedCalcom) -> None:
    response = post_booking(calcom_emulator, {"allowConflicts": True, "colourFormula": "7/1"})

    assert response.status_code == 201
    assert "colourFormula" not in response.json()["data"]


def test_a_missing_api_version_routes_to_the_legacy_controller_and_fails(
    calcom_emulator: EmulatedCalcom,
) -> None:
    response = post_booking(calcom_emulator, {}, version=None)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadRequestException"


def test_slots_without_the_slots_version_are_not_found(calcom_emulator: EmulatedCalcom) -> None:
    client = CalcomClient(
        calcom_emulator.url,
        calcom_emulator.api_key,
        versions=CalcomApiVersions(slots="2024-08-13"),
    )
    with client, pytest.raises(CalcomNotFoundError):
        client.get_slots(calcom_emulator.event_type.id, tomorrow_at(9), tomorrow_at(10))


def test_reschedule_creates_a_new_booking_and_cancels_the_old_one(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    old = calcom_client.create_booking(
        booking_request(calcom_emulator.event_type.id, tomorrow_at(9), phase_id="p1")
    )

    new = calcom_client.reschedule_booking(old.uid, tomorrow_at(14))

    assert new.uid != old.uid
    assert new.rescheduled_from_uid == old.uid
    assert new.end - new.start == timedelta(minutes=30)
    assert new.metadata == {"phase_id": "p1"}
    old_now = calcom_client.get_booking(old.uid)
    assert (old_now.status, old_now.rescheduled_to_uid) == ("cancelled", new.uid)
    with pytest.raises(CalcomBadRequestError, match="rescheduled already to booking"):
        calcom_client.reschedule_booking(old.uid, tomorrow_at(15))


def test_cancelling_twice_is_refused_and_the_cancelled_booking_stays_readable(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    booking = calcom_client.create_booking(
        booking_request(calcom_emulator.event_type.id, tomorrow_at(9))
    )
    calcom_client.cancel_booking(booking.uid, reason="client ill")

    with pytest.raises(CalcomBadRequestError, match="has been cancelled already"):
        calcom_client.cancel_booking(booking.uid)
    assert calcom_client.get_booking(booking.uid).status == "cancelled"


def test_an_unknown_booking_is_not_found(calcom_client: CalcomClient) -> None:
    with pytest.raises(CalcomNotFoundError, match="was not found in the database"):
        calcom_client.get_booking("nope")


def test_listing_filters_by_time_window_and_pages(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    for hour in (8, 9, 10, 11):
        calcom_client.create_booking(
            booking_request(calcom_emulator.event_type.id, tomorrow_at(hour))
        )
    filters = BookingFilters(
        after_start=tomorrow_at(9),
        before_end=tomorrow_at(12),
        event_type_id=calcom_emulator.event_type.id,
        sort_start="desc",
        take=2,
        skip=0,
    )

    page = calcom_client.list_bookings(filters)

    assert [b.start.hour for b in page.bookings] == [11, 10]
    assert (page.pagination.total_items, page.pagination.has_next_page) == (3, True)
    next_page = calcom_client.list_bookings(filters.model_copy(update={"skip": 2}))
    assert [b.start.hour for b in next_page.bookings] == [9]
    assert next_page.pagination.has_previous_page


def test_listing_by_status_separates_cancelled_from_upcoming(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    kept = calcom_client.create_booking(
        booking_request(calcom_emulator.event_type.id, tomorrow_at(9))
    )
    dropped = calcom_client.create_booking(
        booking_request(calcom_emulator.event_type.id, tomorrow_at(10))
    )
    calcom_client.cancel_booking(dropped.uid)

    upcoming = calcom_client.list_bookings(BookingFilters(status=("upcoming",)))
    cancelled = calcom_client.list_bookings(BookingFilters(status=("cancelled",)))

    assert [b.uid for b in upcoming.bookings] == [kept.uid]
    assert [b.uid for b in cancelled.bookings] == [dropped.uid]


def test_listing_after_updated_at_finds_recent_changes(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    booking = calcom_client.create_booking(
        booking_request(calcom_emulator.event_type.id, tomorrow_at(9))
    )
    page = calcom_client.list_bookings(BookingFilters(after_updated_at=booking.created_at))
    later = calcom_client.list_bookings(
        BookingFilters(after_updated_at=booking.created_at + timedelta(seconds=1))
    )
    assert [b.uid for b in page.bookings] == [booking.uid]
    assert later.bookings == []


def test_slots_leave_out_the_hosts_booked_time(
    calcom_client: CalcomClient, calcom_emulator: EmulatedCalcom
) -> None:
    calcom_client.create_booking(booking_request(calcom_emulator.event_type.id, tomorrow_at(9)))

    slots = calcom_client.get_slots(calcom_emulator.event_type.id, tomorrow_at(8), tomorrow_at(11))

    starts = [slot.start.strftime("%H:%M") for slot in slots]
    assert starts == ["08:00", "08:30", "09:30", "10:00", "10:30"]


def test_listing_without_an_api_key_is_refused_with_cal_coms_text(
    calcom_emulator: EmulatedCalcom,
) -> None:
    response = httpx.get(
        f"{calcom_emulator.url}/v2/bookings", headers={"cal-api-version": "2024-08-13"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith(
        "ApiAuthStrategy - No authentication method provided."
    )


def test_a_wrong_api_key_is_a_permanent_auth_error(calcom_emulator: EmulatedCalcom) -> None:
    client = CalcomClient(calcom_emulator.url, "cal_test_wrong")
    with client, pytest.raises(CalcomAuthError, match="check the API key") as caught:
        client.list_bookings()
    assert caught.value.calcom_message == "CustomThrottlerGuard - Invalid API Key"
    assert not caught.value.retryable


def post_booking(
    calcom: EmulatedCalcom, extra: dict[str, object], version: str | None = "2024-08-13"
) -> httpx.Response:
    body = {
        "start": tomorrow_at(9).isoformat(),
        "eventTypeId": calcom.event_type.id,
        "attendee": {"name": "Client", "timeZone": "Europe/Berlin", "email": "c@example.com"},
        **extra,
    }
    headers = {"Authorization": f"Bearer {calcom.api_key}"}
    if version:
        headers["cal-api-version"] = version
    return httpx.post(f"{calcom.url}/v2/bookings", json=body, headers=headers)
