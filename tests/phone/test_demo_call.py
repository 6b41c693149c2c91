"""A scripted phone call against `phasebook demo`, run as a new user runs it (a subprocess,
SQLite in a fresh data directory, the Cal.com emulator in-process), signed as Retell signs:
inbound → check_availability "Ansatzfärbung", "morgen", "um 10" (or the next open day) →
book_appointment with the hold → five phases, linked to the call, the four staff-required
ones in the emulator → call_ended and call_analyzed in reverse order → the call is whole."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import httpx
import pytest

from tests.support.processes import free_port, running
from tests.support.retell import sign

BERLIN = ZoneInfo("Europe/Berlin")
RETELL_KEY = "key_demo_end_to_end"
API_TOKEN = "pb_demo_end_to_end_token"
CALCOM_KEY = "cal_demo_end_to_end"
CALL_ID = "call_e2e_1"
CALLER = "+4915112345678"


class Demo:
    def __init__(self, port: int, calcom_port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.calcom = f"http://127.0.0.1:{calcom_port}"
        self.http = httpx.Client(timeout=30)

    def retell(self, path: str, body: Any) -> Any:
        text = json.dumps(body, ensure_ascii=False)
        response = self.http.post(
            f"{self.base}/retell/friseur-demo/{path}",
            content=text.encode(),
            headers={
                "X-Retell-Signature": sign(text, RETELL_KEY),
                "Content-Type": "application/json",
            },
        )
        assert response.status_code == 200, response.text
        return response.json()

    def api(self, path: str) -> Any:
        response = self.http.get(
            f"{self.base}/api/v1{path}", headers={"Authorization": f"Bearer {API_TOKEN}"}
        )
        assert response.status_code == 200, response.text
        return response.json()

    def calcom_bookings(self) -> list[dict[str, Any]]:
        response = self.http.get(
            f"{self.calcom}/v2/bookings",
            headers={"Authorization": f"Bearer {CALCOM_KEY}", "cal-api-version": "2024-08-13"},
        )
        assert response.status_code == 200, response.text
        return list(response.json()["data"])


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    port, calcom_port = free_port(), free_port()
    env = {
        "PHASEBOOK_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",  # the demo as a new user runs it: SQLite in its data directory
        "CELERY_BROKER_URL": "",
        "PHASEBOOK_DEMO_RETELL_KEY": RETELL_KEY,
        "PHASEBOOK_DEMO_TOKEN": API_TOKEN,
        "PHASEBOOK_DEMO_CALCOM_KEY": CALCOM_KEY,
    }
    command = [
        sys.executable,
        "-m",
        "phasebook.manage",
        "demo",
        "--port",
        str(port),
        "--calcom-port",
        str(calcom_port),
    ]
    with running(command, env, f"http://127.0.0.1:{port}/healthz"):
        demo = Demo(port, calcom_port)
        yield demo
        demo.http.close()


def _day_phrase(today: date) -> tuple[str, date]:
    """ "morgen" when the demo salon opens tomorrow (Mon–Sat, no public holiday), else the
    next day it opens, by date."""
    closed = holidays.country_holidays("DE", years=[today.year, today.year + 1])
    day = today + timedelta(days=1)
    while day.weekday() == 6 or day in closed:
        day += timedelta(days=1)
    return ("morgen" if day == today + timedelta(days=1) else day.isoformat()), day


def _wait_for(condition: Any, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError("gave up waiting")


def test_a_scripted_call_books_a_root_colour_in_five_phases_linked_to_the_call(demo: Demo) -> None:
    call = {
        "call_id": CALL_ID,
        "agent_id": "agent_demo",
        "call_type": "phone_call",
        "direction": "inbound",
        "from_number": CALLER,
        "to_number": "+4930123456",
        "call_status": "ongoing",
        "start_timestamp": int(time.time() * 1000),
    }
    inbound = demo.retell(
        "inbound",
        {
            "event": "call_inbound",
            "call_inbound": {
                "from_number": CALLER,
                "to_number": "+4930123456",
                "agent_id": "agent_demo",
            },
        },
    )
    variables = inbound["call_inbound"]["dynamic_variables"]
    today = datetime.now(BERLIN).date()
    assert (variables["salon_name"], variables["today_date"]) == ("Friseur Demo", today.isoformat())

    phrase, day = _day_phrase(today)
    checked = demo.retell(
        "functions/check_availability",
        {
            "name": "check_availability",
            "call": call,
            "args": {"service": "Ansatzfärbung", "date": phrase, "time": "um 10"},
        },
    )
    requested = datetime(day.year, day.month, day.day, 10, tzinfo=BERLIN).isoformat()
    assert (checked["ok"], checked["available"], checked["requested_start"]) == (
        True,
        True,
        requested,
    )

    booked = demo.retell(
        "functions/book_appointment",
        {
            "name": "book_appointment",
            "call": call,
            "args": {"hold_id": checked["hold_id"], "customer_name": "Erika Mustermann"},
        },
    )
    assert booked["ok"] is True
    assert (booked["start"], len(booked["phases"])) == (requested, 5)

    appointment = demo.api(f"/appointments/{booked['appointment_id']}")
    assert appointment["status"] == "booked"
    staff_phases = [phase for phase in appointment["phases"] if phase["staff_required"]]
    assert len(appointment["phases"]) == 5
    assert len(staff_phases) == 4

    # The mirror runs in the background (the reply did not wait for it): the four
    # staff-required phases reach the emulator as four bookings, the gap does not.
    def synced_phases() -> list[dict[str, Any]]:
        phases = demo.api(f"/appointments/{booked['appointment_id']}")["phases"]
        done = [phase for phase in phases if phase["calcom_booking_uid"]]
        return done if len(done) == 4 else []

    synced = _wait_for(synced_phases)
    assert all(phase["staff_required"] for phase in synced)
    in_emulator = {booking["uid"]: booking for booking in demo.calcom_bookings()}
    for phase in synced:
        booking = in_emulator[phase["calcom_booking_uid"]]
        starts_at = datetime.fromisoformat(booking["start"].replace("Z", "+00:00"))
        assert starts_at == datetime.fromisoformat(phase["start_time"])

    ended = {
        **call,
        "call_status": "ended",
        "end_timestamp": int(time.time() * 1000),
        "duration_ms": 95_000,
        "disconnection_reason": "user_hangup",
        "transcript": "Agent: Friseur Demo, guten Tag.\nUser: Eine Ansatzfärbung, bitte.\n",
        "recording_url": "https://recordings.example/e2e.wav",
    }
    analyzed = {
        **ended,
        "call_analysis": {
            "call_summary": "Ansatzfärbung gebucht.",
            "user_sentiment": "Positive",
            "call_successful": True,
        },
    }
    assert demo.retell("webhook", {"event": "call_analyzed", "call": analyzed}) == {
        "status": "recorded"
    }
    assert demo.retell("webhook", {"event": "call_ended", "call": ended}) == {"status": "recorded"}

    record = demo.api(f"/calls/{CALL_ID}")
    assert (record["status"], record["from_number"], record["disconnection_reason"]) == (
        "ended",
        CALLER,
        "user_hangup",
    )
    assert (record["summary"], record["sentiment"], record["successful"]) == (
        "Ansatzfärbung gebucht.",
        "Positive",
        True,
    )
    assert record["duration_ms"] == 95_000
    assert record["transcript"].startswith("Agent: Friseur Demo")
    assert record["start"] is not None
    assert record["end"] is not None
    assert [linked["id"] for linked in record["appointments"]] == [booked["appointment_id"]]
    assert len(record["appointments"][0]["phases"]) == 5
