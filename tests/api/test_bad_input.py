"""Bad input on every endpoint: always a 4xx with `{"error": code, "message": German text}`,
never a 500, never an exception text or stack trace, and nothing written to the database."""

from __future__ import annotations

import io
import json
import logging
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phasebook.booking.models import Appointment, AppointmentPhase
from phasebook.salons.models import Customer
from phasebook.telemetry.logs import RedactSecretsFilter
from tests.factories import ACTOR, next_weekday
from tests.support.api import assert_clean_refusal

START = next_weekday(timezone.now())
NAIVE = START.replace(tzinfo=None).isoformat()
MISSING_ID = "6f0c1a8e-0000-4000-8000-000000000000"
HUGE = "x" * 100_000


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    raw: str | None = None
    content_type: str = "application/json"

    def send(self, client: Client, token: str) -> Any:
        url = f"/api/v1{self.path}"
        headers = {"Authorization": f"Bearer {token}"}
        if self.method == "get":
            return client.get(url, self.query, headers=headers)
        data = self.raw if self.raw is not None else json.dumps(self.body)
        return client.generic(
            self.method.upper(), url, data, content_type=self.content_type, headers=headers
        )


@pytest.fixture
def booked(salon: SimpleNamespace) -> Appointment:
    from phasebook.booking.customers import CustomerDetails
    from phasebook.booking.services import BookingRequest, book_appointment

    return book_appointment(
        salon.company,
        BookingRequest(
            salon.cut.pk,
            START + timedelta(days=2),
            CustomerDetails("Stammkundin"),
            str(salon.anna.pk),
        ),
        actor=ACTOR,
    )


def _snapshot() -> list[Any]:
    return [
        list(
            Appointment.objects.order_by("pk").values_list(
                "pk", "status", "start", "end", "staff_id", "cancel_reason"
            )
        ),
        list(AppointmentPhase.objects.order_by("pk").values_list("pk", "start_time", "staff_id")),
        list(Customer.objects.order_by("pk").values_list("pk", "name", "phone", "email")),
    ]


# --- one table per endpoint; `s` carries salon A's ids, `s.booked` an existing appointment ---

Case = Callable[[SimpleNamespace], Call]


def _window(**query: Any) -> Callable[[SimpleNamespace], Call]:
    def build(s: SimpleNamespace) -> Call:
        values = {
            "service": s.cut.pk,
            "from": START.isoformat(),
            "to": (START + timedelta(days=1)).isoformat(),
        } | query
        return Call("get", "/availability", {k: v for k, v in values.items() if v is not None})

    return build


def _explain(**query: Any) -> Callable[[SimpleNamespace], Call]:
    def build(s: SimpleNamespace) -> Call:
        values = {"service": s.cut.pk, "start": START.isoformat()} | query
        return Call("get", "/explain", {k: v for k, v in values.items() if v is not None})

    return build


def _booking(
    path: str,
    *,
    customer_fields: dict[str, Any] | None = None,
    raw: str | None = None,
    content_type: str = "application/json",
    **fields: Any,
) -> Case:
    """A valid booking body with `customer_fields` merged into its customer and `fields`
    replacing top-level fields (`...` removes one)."""

    def build(s: SimpleNamespace) -> Call:
        body = {
            "service_id": s.cut.pk,
            "start": START.isoformat(),
            "staff_id": str(s.anna.pk),
            "customer": {"name": "Eva"} | (customer_fields or {}),
        } | fields
        body = {k: v for k, v in body.items() if v is not ...}
        return Call("post", path, body=body, raw=raw, content_type=content_type)

    return build


def _on_booked(
    action: str,
    body: Any = None,
    raw: str | None = None,
    content_type: str = "application/json",
    target: str | None = None,
) -> Case:
    def build(s: SimpleNamespace) -> Call:
        return Call(
            "post",
            f"/appointments/{target or s.booked.pk}/{action}",
            body=body,
            raw=raw,
            content_type=content_type,
        )

    return build


AVAILABILITY: dict[str, tuple[Case, int]] = {
    "no service": (_window(service=None), 422),
    "no window": (_window(**{"from": None, "to": None}), 422),
    "service not a number": (_window(service="abc"), 422),
    "service as unicode": (_window(service="Färben 💇"), 422),
    "negative service": (_window(service=-1), 422),
    "zero service": (_window(service=0), 422),
    "service beyond bigint": (_window(service=2**70), 422),
    "unknown service": (_window(service=987654), 404),
    "naive from": (_window(**{"from": NAIVE}), 422),
    "from not a date": (_window(**{"from": "morgen früh"}), 422),
    "huge from": (_window(**{"from": HUGE}), 422),
    "to before from": (_window(to=(START - timedelta(hours=1)).isoformat()), 400),
    "empty window": (_window(to=START.isoformat()), 400),
    "window too long": (_window(to=(START + timedelta(days=400)).isoformat()), 400),
    "year 1": (
        _window(**{"from": "0001-01-01T00:00:00+00:00", "to": "0001-01-02T00:00:00+00:00"}),
        422,
    ),
    "year 9999": (
        _window(**{"from": "9999-12-30T00:00:00+00:00", "to": "9999-12-31T00:00:00+00:00"}),
        422,
    ),
    "malformed staff": (_window(staff="anna"), 422),
    "unknown staff": (_window(staff=MISSING_ID), 404),
}

EXPLAIN: dict[str, tuple[Case, int]] = {
    "no start": (_explain(start=None), 422),
    "naive start": (_explain(start=NAIVE), 422),
    "start not a date": (_explain(start="2026-02-30T10:00:00+01:00"), 422),
    "start year 1 at +14:00": (_explain(start="0001-01-01T00:00:00+14:00"), 422),
    "start year 9999": (_explain(start="9999-12-31T23:59:59+00:00"), 422),
    "service not a number": (_explain(service="1; DROP TABLE"), 422),
    "negative service": (_explain(service=-5), 422),
    "malformed staff": (_explain(staff="0000"), 422),
    "unknown staff": (_explain(staff=MISSING_ID), 404),
    "huge staff": (_explain(staff=HUGE), 422),
}


def _writes(path: str) -> dict[str, tuple[Case, int]]:
    """Bad bodies that both /holds and /appointments (direct booking) must refuse."""
    return {
        "malformed JSON": (_booking(path, raw='{"service_id": 1,'), 400),
        "empty body": (_booking(path, raw=""), 422),
        "JSON list": (_booking(path, raw="[1, 2]"), 422),
        "JSON null": (_booking(path, raw="null"), 422),
        "JSON string": (_booking(path, raw='"buchen"'), 422),
        "form encoded": (
            _booking(
                path, raw="service_id=1&start=x", content_type="application/x-www-form-urlencoded"
            ),
            415,
        ),
        "plain text": (_booking(path, raw="Termin bitte", content_type="text/plain"), 415),
        "service as text": (_booking(path, service_id="eins"), 422),
        "service as float": (_booking(path, service_id=1.5), 422),
        "negative service": (_booking(path, service_id=-1), 422),
        "zero service": (_booking(path, service_id=0), 422),
        "service beyond bigint": (_booking(path, service_id=2**70), 422),
        "unknown service": (_booking(path, service_id=987654), 404),
        "start as number": (_booking(path, start=1767225600), 422),
        "naive start": (_booking(path, start=NAIVE), 422),
        "start year 9999": (_booking(path, start="9999-12-31T23:59:59+00:00"), 422),
        "start in the past": (_booking(path, start=(START - timedelta(days=30)).isoformat()), 422),
        "start on a Sunday night": (
            _booking(path, start=next_weekday(timezone.now(), 6, hour=23).isoformat()),
            422,
        ),
        # /appointments also accepts {"hold_id"}, so it checks the booking fields itself (400).
        "missing customer": (_booking(path, customer=...), 400 if path == "/appointments" else 422),
        "customer as text": (_booking(path, customer="Eva"), 422),
        "customer without name": (_booking(path, customer={"phone": "+4917112345678"}), 422),
        "empty name": (_booking(path, customer_fields={"name": ""}), 422),
        "blank name": (_booking(path, customer_fields={"name": "   "}), 400),
        "huge name": (_booking(path, customer_fields={"name": HUGE}), 422),
        "NUL in name": (_booking(path, customer_fields={"name": "Eva\x00"}), 422),
        # json.dumps escapes it as \ud800: valid JSON, but no encodable string.
        "lone surrogate in name": (_booking(path, customer_fields={"name": "Eva\ud800"}), 422),
        "name as number": (_booking(path, customer_fields={"name": 42}), 422),
        "phone letters": (_booking(path, customer_fields={"phone": "call me"}), 400),
        "phone too short": (_booking(path, customer_fields={"phone": "+49 1"}), 400),
        "huge phone": (_booking(path, customer_fields={"phone": "1" * 5000}), 422),
        "invalid e-mail": (_booking(path, customer_fields={"email": "eva(at)example"}), 400),
        "huge e-mail": (_booking(path, customer_fields={"email": "e" * 300 + "@example.com"}), 422),
        "malformed staff": (_booking(path, staff_id="anna"), 422),
        "staff as number": (_booking(path, staff_id=7), 422),
        "unknown staff": (_booking(path, staff_id=MISSING_ID), 404),
        "extra field": (_booking(path, staff="anna"), 422),
        "extra customer field": (_booking(path, customer_fields={"vip": True}), 422),
    }


HOLDS = _writes("/holds")
APPOINTMENTS = _writes("/appointments") | {
    "malformed hold id": (lambda s: Call("post", "/appointments", body={"hold_id": "h-1"}), 422),
    "hold id as number": (lambda s: Call("post", "/appointments", body={"hold_id": -1}), 422),
    "unknown hold": (lambda s: Call("post", "/appointments", body={"hold_id": MISSING_ID}), 404),
    "hold id with extra field": (
        lambda s: Call("post", "/appointments", body={"hold_id": MISSING_ID, "force": True}),
        422,
    ),
}

LATER = (START + timedelta(days=2, hours=2)).isoformat()

APPOINTMENT = {
    "malformed id": (lambda s: Call("get", "/appointments/abc"), 422),
    "negative id": (lambda s: Call("get", "/appointments/-1"), 422),
    "zero id": (lambda s: Call("get", "/appointments/0"), 422),
    "unicode id": (lambda s: Call("get", "/appointments/termin-für-eva"), 422),
    "huge id": (lambda s: Call("get", f"/appointments/{'a' * 5000}"), 422),
    "unknown id": (lambda s: Call("get", f"/appointments/{MISSING_ID}"), 404),
}

RESCHEDULE: dict[str, tuple[Case, int]] = {
    "malformed JSON": (_on_booked("reschedule", raw="{start:"), 400),
    "empty body": (_on_booked("reschedule", raw=""), 422),
    "empty object": (_on_booked("reschedule", body={}), 422),
    "JSON list": (_on_booked("reschedule", body=[LATER]), 422),
    "plain text": (_on_booked("reschedule", raw=LATER, content_type="text/plain"), 415),
    "naive start": (_on_booked("reschedule", body={"start": NAIVE}), 422),
    "start as number": (_on_booked("reschedule", body={"start": 5}), 422),
    "start year 1": (_on_booked("reschedule", body={"start": "0001-01-01T00:00:00+14:00"}), 422),
    "start in the past": (
        _on_booked("reschedule", body={"start": (START - timedelta(days=30)).isoformat()}),
        422,
    ),
    "malformed staff": (_on_booked("reschedule", body={"start": LATER, "staff_id": "x"}), 422),
    "unknown staff": (_on_booked("reschedule", body={"start": LATER, "staff_id": MISSING_ID}), 404),
    "extra field": (_on_booked("reschedule", body={"start": LATER, "notify": False}), 422),
    "malformed appointment id": (_on_booked("reschedule", body={"start": LATER}, target="x"), 422),
    "unknown appointment": (
        _on_booked("reschedule", body={"start": LATER}, target=MISSING_ID),
        404,
    ),
}

CANCEL: dict[str, tuple[Case, int]] = {
    "malformed JSON": (_on_booked("cancel", raw="{reason"), 400),
    "JSON list": (_on_booked("cancel", body=["krank"]), 422),
    "JSON string": (_on_booked("cancel", body="krank"), 422),
    "plain text": (_on_booked("cancel", raw="krank", content_type="text/plain"), 415),
    "reason as number": (_on_booked("cancel", body={"reason": 3}), 422),
    "huge reason": (_on_booked("cancel", body={"reason": HUGE}), 422),
    "NUL in reason": (_on_booked("cancel", body={"reason": "krank\x00"}), 422),
    "extra field": (_on_booked("cancel", body={"reason": "krank", "refund": True}), 422),
    "malformed appointment id": (_on_booked("cancel", body={}, target="-1"), 422),
    "unknown appointment": (_on_booked("cancel", body={}, target=MISSING_ID), 404),
}

ROUTING: dict[str, tuple[Case, int]] = {
    "unknown path": (lambda s: Call("get", "/bookings"), 404),
    "wrong method on services": (lambda s: Call("delete", "/services", raw=""), 405),
    "GET on holds": (lambda s: Call("get", "/holds"), 405),
    "PUT on an appointment": (lambda s: Call("put", f"/appointments/{s.booked.pk}", body={}), 405),
}

ENDPOINT_CASES = {
    "availability": AVAILABILITY,
    "explain": EXPLAIN,
    "holds": HOLDS,
    "appointments": APPOINTMENTS,
    "appointment": APPOINTMENT,
    "reschedule": RESCHEDULE,
    "cancel": CANCEL,
    "routing": ROUTING,
}
CASES = [
    pytest.param(endpoint, name, id=f"{endpoint}: {name}")
    for endpoint, cases in ENDPOINT_CASES.items()
    for name in cases
]


@pytest.mark.parametrize(("endpoint", "case"), CASES)
def test_bad_input_is_refused_cleanly_in_german_and_writes_nothing(
    endpoint: str,
    case: str,
    salon: SimpleNamespace,
    booked: Appointment,
    client: Client,
) -> None:
    build, status = ENDPOINT_CASES[endpoint][case]
    call = build(SimpleNamespace(**vars(salon), booked=booked))
    before = _snapshot()
    assert_clean_refusal(call.send(client, salon.token), status)
    assert _snapshot() == before


def test_a_validation_error_names_each_bad_field_in_german(
    salon: SimpleNamespace,
    booked: Appointment,
    client: Client,
) -> None:
    call = _booking("/holds", start=NAIVE, staff_id="anna")(SimpleNamespace(**vars(salon)))
    body = assert_clean_refusal(call.send(client, salon.token), 422)
    assert {item["field"] for item in body["fields"]} == {"start", "staff_id"}
    assert "UTC-Versatz" in body["message"]


def test_rescheduling_a_cancelled_appointment_is_a_conflict_not_a_crash(
    salon: SimpleNamespace,
    booked: Appointment,
    client: Client,
) -> None:
    _on_booked("cancel", body={})(SimpleNamespace(booked=booked)).send(client, salon.token)
    moved = _on_booked("reschedule", body={"start": LATER})(SimpleNamespace(booked=booked))
    body = assert_clean_refusal(moved.send(client, salon.token), 409)
    assert body["error"] == "invalid_state"


# --- random input: whatever arrives, never a 5xx, always the error shape ---

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
instants = st.datetimes().map(lambda moment: moment.isoformat()) | st.datetimes(
    timezones=st.timezones()
).map(lambda moment: moment.isoformat())
field_values = json_values | instants | st.uuids().map(str)
customers = (
    st.fixed_dictionaries(
        {},
        optional={
            "name": st.text(),
            "phone": st.text(alphabet=string.digits + "+ -()") | st.text(),
            "email": st.emails() | st.text(),
        },
    )
    | json_values
)
booking_bodies = (
    st.fixed_dictionaries(
        {},
        optional={
            "service_id": st.integers() | field_values,
            "start": field_values,
            "staff_id": field_values,
            "customer": customers,
            "hold_id": field_values,
        },
    )
    | json_values
)
query_values = st.text() | instants | st.integers().map(str) | st.uuids().map(str)
queries = st.dictionaries(
    st.sampled_from(["service", "from", "to", "start", "staff"]) | st.text(max_size=5),
    query_values,
    max_size=5,
)
path_ids = st.uuids().map(str) | st.text(
    alphabet=string.ascii_letters + string.digits + "-_.", min_size=1
)

REQUESTS = st.one_of(
    st.builds(lambda q: Call("get", "/availability", q), queries),
    st.builds(lambda q: Call("get", "/explain", q), queries),
    st.builds(lambda q: Call("get", "/services", q), queries),
    st.builds(lambda b: Call("post", "/holds", body=b), booking_bodies),
    st.builds(lambda b: Call("post", "/appointments", body=b), booking_bodies),
    st.builds(lambda i: Call("get", f"/appointments/{i}"), path_ids),
    st.builds(
        lambda i, b: Call("post", f"/appointments/{i}/reschedule", body=b),
        path_ids,
        st.fixed_dictionaries({}, optional={"start": field_values, "staff_id": field_values})
        | json_values,
    ),
    st.builds(
        lambda i, b: Call("post", f"/appointments/{i}/cancel", body=b),
        path_ids,
        st.fixed_dictionaries({}, optional={"reason": field_values}) | json_values,
    ),
    st.builds(lambda raw: Call("post", "/holds", raw=raw), st.text()),
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(call=REQUESTS)
def test_random_requests_never_get_a_5xx_and_errors_keep_their_shape(
    call: Call,
    salon: SimpleNamespace,
    client: Client,
) -> None:
    response = call.send(client, salon.token)
    assert response.status_code < 500, (call, response.content[:500])
    if response.status_code >= 400:
        assert_clean_refusal(response)


# --- logs: failing requests never leak the token, the phone number or the e-mail address ---

PHONE, PHONE_E164, EMAIL = "+49 171 2345678", "+491712345678", "eva.muster@example.org"


@pytest.fixture
def wired_log() -> Iterator[io.StringIO]:
    """The output of the handlers settings.LOGGING installs (they carry the redaction filter)."""
    wired = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactSecretsFilter) for f in handler.filters)
    ]
    assert wired, "settings.LOGGING must put the redaction filter on the root handler"
    stream = io.StringIO()
    old_streams = [
        handler.setStream(stream) for handler in wired if isinstance(handler, logging.StreamHandler)
    ]
    yield stream
    for handler, old in zip(wired, old_streams, strict=True):
        handler.setStream(old)


def _crash_with_personal_data(token: str) -> Callable[..., Any]:
    def crash(*args: Any, **kwargs: Any) -> Any:
        # Like a database error whose DETAIL repeats the row it refused.
        raise RuntimeError(
            f"Key (phone, email)=({PHONE_E164}, {EMAIL}) token={token} "
            f"Authorization: Bearer {token}"
        )

    return crash


def test_failing_requests_log_neither_token_nor_phone_nor_email(
    salon: SimpleNamespace,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    wired_log: io.StringIO,
) -> None:
    customer = {"name": "Eva", "phone": PHONE, "email": EMAIL}
    start = START.isoformat()
    body = {"service_id": salon.cut.pk, "start": start, "customer": customer}
    Call("post", "/holds", body=body | {"start": "morgen"}).send(client, salon.token)
    Call("post", "/holds", body=body | {"customer": customer | {"phone": "12"}}).send(
        client, salon.token
    )
    Call("post", "/holds", body=body).send(client, "pb_wrong" + salon.token)
    monkeypatch.setattr(
        "phasebook.booking.services.hold_appointment", _crash_with_personal_data(salon.token)
    )
    crashed = Call("post", "/holds", body=body).send(client, salon.token)

    assert crashed.status_code == 500
    assert "RuntimeError" in wired_log.getvalue()  # the traceback is logged, redacted
    # caplog's handler sits after the wired one on the root logger, so it gets the record
    # after the filter has redacted it in place.
    for text in (wired_log.getvalue(), caplog.text, crashed.content.decode()):
        for secret in (salon.token, PHONE, PHONE_E164, EMAIL):
            assert secret not in text
