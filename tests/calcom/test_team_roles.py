"""The emulator's HTTP admin sets team roles, and Cal.com's role rules follow from them: only
a team's admins and owners see its bookings and may read its memberships."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from phasebook.calcom.client import CalcomClient
from phasebook.calcom.errors import CalcomAuthError
from phasebook.calcom_emulator import RunningEmulator
from tests.calcom.emulated import booking_request, tomorrow_at
from tests.support.emulator import TEST_TIMEOUTS

TEAM = 9


def _admin(url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{url}/_emulator/{path}", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


@pytest.fixture
def team(running_emulator: RunningEmulator) -> dict[str, Any]:
    """Over HTTP only, as an ops engineer sets up a standalone emulator."""
    url = running_emulator.url
    owner = _admin(url, "users", {"username": "owner"})
    stylist = _admin(url, "users", {"username": "stylist"})
    (event_type,) = _admin(
        url,
        "event-types",
        {
            "teamId": TEAM,
            "slug": "cut",
            "lengthInMinutes": 30,
            "hostIds": [stylist["id"]],
        },
    )
    return {"url": url, "owner": owner, "stylist": stylist, "event_type": event_type}


def _client(team: dict[str, Any]) -> CalcomClient:
    return CalcomClient(team["url"], team["owner"]["apiKey"], timeouts=TEST_TIMEOUTS)


def test_the_http_admin_makes_a_user_team_admin_and_the_teams_bookings_become_visible(
    team: dict[str, Any],
) -> None:
    with _client(team) as client:
        booked = client.create_booking(booking_request(team["event_type"]["id"], tomorrow_at(10)))
        as_nobody = client.list_bookings().bookings
        _admin(
            team["url"],
            f"teams/{TEAM}/memberships",
            {"userId": team["owner"]["id"], "role": "ADMIN"},
        )
        as_admin = client.list_bookings().bookings
        memberships = client.list_team_memberships(TEAM)
        me = client.get_me()

    assert as_nobody == []
    assert [b.uid for b in as_admin] == [booked.uid]
    assert [(m.user_id, m.role, m.is_admin) for m in memberships] == [
        (team["owner"]["id"], "ADMIN", True)
    ]
    assert (me.id, me.username) == (team["owner"]["id"], "owner")


def test_a_team_member_is_refused_the_memberships_and_does_not_see_the_bookings(
    team: dict[str, Any],
) -> None:
    _admin(
        team["url"], f"teams/{TEAM}/memberships", {"userId": team["owner"]["id"], "role": "MEMBER"}
    )
    with _client(team) as client:
        client.create_booking(booking_request(team["event_type"]["id"], tomorrow_at(11)))
        with pytest.raises(CalcomAuthError) as refused:
            client.list_team_memberships(TEAM)
        assert client.list_bookings().bookings == []
    assert refused.value.status_code == 403


def test_the_http_admin_refuses_an_unknown_role(team: dict[str, Any]) -> None:
    response = httpx.post(
        f"{team['url']}/_emulator/teams/{TEAM}/memberships",
        json={"userId": team["owner"]["id"], "role": "BOSS"},
    )
    assert response.status_code == 400
    assert "MEMBER, ADMIN, OWNER" in response.json()["message"]
