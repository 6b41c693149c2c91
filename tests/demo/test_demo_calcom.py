"""The demo's Cal.com set-up: emulator users, connection, provisioned event types."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from phasebook.calcom.connection import client_for
from phasebook.calcom.models import CalcomEventMap
from phasebook.calcom.schemas import Attendee, CreateBookingRequest
from phasebook.calcom.setup_check import setup_findings
from phasebook.calcom_emulator import RunningEmulator
from phasebook.demo.calcom import DEMO_TEAM_ID, connect_demo_calcom
from phasebook.demo.salon import load_demo_salon

pytestmark = pytest.mark.django_db


def test_the_demo_salon_is_provisioned_and_its_bookings_are_listable(
    running_emulator: RunningEmulator,
) -> None:
    company = load_demo_salon()

    demo = connect_demo_calcom(
        company, running_emulator.emulator, running_emulator.url, "cal_test_demo"
    )

    # 6 services with 4+4+4+4+1+1 staff-required segments, two stylists.
    assert len(demo.provisioned.created_ids) == 36
    with client_for(company) as client:
        assert setup_findings(company, client, DEMO_TEAM_ID) == []
    event_type_id = CalcomEventMap.objects.filter(company=company).first().event_type_id
    with client_for(company) as client:
        slot = client.get_slots(event_type_id, *_tomorrow())[0]
        booked = client.create_booking(
            CreateBookingRequest(
                start=slot.start,
                event_type_id=event_type_id,
                attendee=Attendee(
                    name="Paul Klaus", time_zone="Europe/Berlin", email="paul@example.com"
                ),
            )
        )
    response = httpx.get(
        f"{demo.url}/v2/bookings",
        headers={"Authorization": "Bearer cal_test_demo", "cal-api-version": "2024-08-13"},
    )
    assert response.status_code == 200
    assert [booking["uid"] for booking in response.json()["data"]] == [booked.uid]
    assert "cal_test_demo" in demo.curl_example()


def _tomorrow() -> tuple[datetime, datetime]:
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return start + timedelta(days=1), start + timedelta(days=2)


def test_a_restart_with_a_fresh_emulator_provisions_again(
    running_emulator: RunningEmulator,
) -> None:
    company = load_demo_salon()
    connect_demo_calcom(company, running_emulator.emulator, running_emulator.url, None)
    running_emulator.emulator.reset()  # the in-memory emulator forgets everything on restart

    again = connect_demo_calcom(company, running_emulator.emulator, running_emulator.url, None)

    assert len(again.provisioned.created_ids) == 36
    mapped = set(CalcomEventMap.objects.values_list("event_type_id", flat=True))
    assert mapped == set(again.provisioned.created_ids)
    assert again.api_key.startswith("cal_test_")


def test_a_second_set_up_on_the_same_emulator_creates_nothing(
    running_emulator: RunningEmulator,
) -> None:
    company = load_demo_salon()
    first = connect_demo_calcom(company, running_emulator.emulator, running_emulator.url, None)

    again = connect_demo_calcom(
        company, running_emulator.emulator, running_emulator.url, first.api_key
    )

    assert again.provisioned.created_ids == []
