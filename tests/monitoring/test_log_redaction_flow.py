"""A whole booking → sync → reschedule → cancel flow with Cal.com failing on the way, every
SQL statement logged and one crash whose text repeats the customer: the logs these produce
(the JSON lines production writes) hold no phone number, e-mail address, customer name, API
key or token. Redaction is the logging layer's job; nothing here redacts by hand."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from phasebook.calsync.env import SyncEnv
from phasebook.calsync.reconcile import reconcile_company
from phasebook.calsync.sync import drain
from tests.factories import next_weekday
from tests.monitoring.captured import CapturedLog
from tests.support.api import ApiClient
from tests.support.clock import FakeClock
from tests.support.mirror import Mirror
from tests.support.retell import SALON_KEY, phone_call
from tests.support.scraping import METRICS_TOKEN, scrape

NAME, EMAIL = "Ottilie Brandauer", "ottilie.brandauer@example.org"
PHONE, PHONE_E164 = "+49 171 5550123", "+491715550123"


@pytest.fixture
def every_statement_logged() -> Iterator[None]:
    """django.db.backends at DEBUG: each query with its parameters (names, e-mails, phones)."""
    sql = logging.getLogger("django.db.backends")
    level, forced = sql.level, connection.force_debug_cursor
    sql.setLevel(logging.DEBUG)
    connection.force_debug_cursor = True
    yield
    sql.setLevel(level)
    connection.force_debug_cursor = forced


def test_a_booking_flow_with_failures_logs_no_personal_data_and_no_credentials(
    salon: SimpleNamespace,
    mirror: Mirror,
    env: SyncEnv,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
    every_statement_logged: None,
    captured_log: CapturedLog,
) -> None:
    api = ApiClient(salon.token)
    faults = mirror.emulator
    faults.inject_fault("server_error", count=2, method="POST", path_prefix="/v2/bookings")
    faults.inject_fault("lose_response", count=1, method="POST", path_prefix="/v2/bookings")
    faults.inject_fault("timeout", count=1, method="GET", path_prefix="/v2/bookings")
    start = next_weekday(clock.now, weeks=2)
    customer = {"name": NAME, "email": EMAIL, "phone": PHONE}

    with django_capture_on_commit_callbacks(execute=True):
        booked = api.post(
            "/appointments",
            {"service_id": salon.colour.pk, "start": start.isoformat(), "customer": customer},
        )
        appointment_id = booked.json()["id"]
        for _ in range(4):  # through the failures, retry by retry
            drain(env)
            clock.advance(minutes=10)
        moved = api.post(
            f"/appointments/{appointment_id}/reschedule",
            {"start": (start + timedelta(hours=2)).isoformat()},
        )
        drain(env)
        reconcile_company(salon.company, env)
        api.post(
            "/appointments", {"service_id": salon.cut.pk, "start": "morgen", "customer": customer}
        )  # a refused request
        with monkeypatch.context() as patched:
            crash = crash_repeating_the_customer(salon.token, mirror.api_key)
            patched.setattr("phasebook.booking.services.cancel_appointment", crash)
            crashed = api.post(f"/appointments/{appointment_id}/cancel", {"reason": NAME})
        cancelled = api.post(f"/appointments/{appointment_id}/cancel", {"reason": "krank"})
        drain(env)
        scrape()

    assert (booked.status_code, moved.status_code, cancelled.status_code) == (201, 200, 200)
    assert crashed.status_code == 500
    text = captured_log.text
    assert "phase sync" in text  # the flow was logged,
    assert "INSERT INTO" in text  # every statement too
    assert "RuntimeError" in text  # the crash was logged, redacted
    for secret in (
        *NAME.split(),
        EMAIL,
        PHONE,
        PHONE_E164,
        "171 5550123",
        "1715550123",
        salon.token,
        mirror.api_key,
        METRICS_TOKEN,
    ):
        assert secret not in text, f"{secret!r} reached the log"
    assert all(line["level"] for line in captured_log.lines())  # and every line is JSON


def test_a_phone_call_that_books_moves_and_cancels_logs_no_caller_data(
    retell_salon: SimpleNamespace,
    mirror: Mirror,
    env: SyncEnv,
    clock: FakeClock,
    django_capture_on_commit_callbacks: Callable[..., Any],
    every_statement_logged: None,
    captured_log: CapturedLog,
) -> None:
    retell = retell_salon.retell
    call = phone_call(call_id="call_leak", from_number=PHONE_E164)
    day = next_weekday(clock.now, weeks=2).date().isoformat()
    mirror.emulator.inject_fault("server_error", count=2, method="POST", path_prefix="/v2/bookings")

    def tool(name: str, **args: Any) -> dict[str, Any]:
        response = retell.post(f"functions/{name}", {"name": name, "args": args, "call": call})
        assert response.status_code == 200
        reply: dict[str, Any] = response.json()
        return reply

    with django_capture_on_commit_callbacks(execute=True):
        retell.post("webhook", {"event": "call_started", "call": call})
        held = tool("check_availability", service="Herrenhaarschnitt", date=day, time="10 Uhr")
        booked = tool("book_appointment", hold_id=held["hold_id"], customer_name=NAME, email=EMAIL)
        drain(env)
        moved = tool("reschedule_appointment", date=day, time="14 Uhr")
        drain(env)
        cancelled = tool("cancel_appointment", date=day)
        drain(env)
        transcript = f"User: Ich bin {NAME}, erreichbar unter {PHONE} oder {EMAIL}.\n"
        retell.post("webhook", {"event": "call_ended", "call": call | {"transcript": transcript}})

    assert (booked["ok"], moved["ok"], cancelled["ok"]) == (True, True, True)
    tools = [line for line in captured_log.lines() if line["message"].startswith("phone tool")]
    assert [line["tool"] for line in tools] == [
        "check_availability",
        "book_appointment",
        "reschedule_appointment",
        "cancel_appointment",
    ]
    assert {line["call_id"] for line in tools} == {"call_leak"}
    assert {line["appointment_id"] for line in tools} == {booked["appointment_id"]}
    text = captured_log.text
    assert "phase sync" in text
    for secret in (
        *NAME.split(),
        EMAIL,
        PHONE,
        PHONE_E164,
        "1715550123",
        SALON_KEY,
        mirror.api_key,
    ):
        assert secret not in text, f"{secret!r} reached the log"


def crash_repeating_the_customer(token: str, api_key: str) -> Callable[..., Any]:
    def crash(*args: Any, **kwargs: Any) -> Any:
        # Like a driver error whose DETAIL repeats the row, next to a careless debug print.
        raise RuntimeError(
            f"Key (name, email, phone)=({NAME}, {EMAIL}, {PHONE_E164}) token={token} "
            f"calcom={api_key} 'customer_name': '{NAME}'"
        )

    return crash
