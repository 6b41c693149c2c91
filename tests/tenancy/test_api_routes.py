"""Every place in API v1 where a caller names a row (tests/support/openapi.py reads them from
the OpenAPI document: path, query and body, arrays included), sent salon A's token and salon
B's row: refused exactly as a row that does not exist (404 `not_found`; a plan id or a
skipped appointment that is not the salon's is a bad request, as an unknown one), nothing
of B changes and nothing of B is in the answer.

Each operation has base requests below that its own salon's token gets answered; the tests
swap one id at a time for B's. A new operation without a base request, or a new id field
that no base request sends, fails here until it has one: a route cannot go untested."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import pytest
from ninja import NinjaAPI

import phasebook.urls
from phasebook.absences.services import plan_absence
from phasebook.api.v1 import api as api_v1
from tests.support.api import ApiClient
from tests.support.openapi import Address, IdField, Operation, operations
from tests.tenancy.world import everything_of

Salon = SimpleNamespace


@dataclass(frozen=True)
class RowOf:
    """Which row of a salon an id field names, and how another salon's is refused."""

    row: Callable[[Salon], object]
    refused: tuple[int, str] = (404, "not_found")


def at(hours: float) -> Callable[[Salon], str]:
    """An instant `hours` after the start of the salon's appointment (10:00 on a weekday)."""
    return lambda salon: (salon.appointment.start + timedelta(hours=hours)).isoformat()


def _hold(salon: Salon) -> object:
    """The salon's live hold, made once (through its own token, as a client makes one)."""
    if not hasattr(salon, "hold"):
        held = ApiClient(salon.token).post(
            "/holds",
            {
                "service_id": salon.cut.pk,
                "staff_id": str(salon.anna.pk),
                "start": at(7)(salon),
                "customer": {"name": "Kundin im Halt", "phone": "+49 171 7654321"},
            },
        )
        assert held.status_code == 201, held.content
        salon.hold = held.json()["id"]
    return salon.hold


# The absence the absence requests name: the first hour of the salon's appointment.
ABSENCE = (0, 1)


def _plan(salon: Salon) -> object:
    start, end = (salon.appointment.start + timedelta(hours=hours) for hours in ABSENCE)
    return plan_absence(salon.company, salon.anna.pk, start, end).plan_id


# By the name of the id field (or the kind a base request names with Row(kind)).
ROW_OF: dict[str, RowOf] = {
    "appointment_id": RowOf(lambda salon: salon.appointment.pk),
    "hold_id": RowOf(_hold),
    "service_id": RowOf(lambda salon: salon.cut.pk),
    "service": RowOf(lambda salon: salon.cut.pk),
    "staff_id": RowOf(lambda salon: salon.anna.pk),
    "staff": RowOf(lambda salon: salon.anna.pk),
    "call_id": RowOf(lambda salon: salon.rows["phone.Call"].call_id),
    # Another salon's plan reads as a forged one, its appointments as not in the plan.
    "plan_id": RowOf(_plan, refused=(400, "invalid_plan")),
    "skip": RowOf(lambda salon: salon.appointment.pk, refused=(400, "invalid_request")),
}


@dataclass(frozen=True)
class Row:
    """In a base request: the salon's row of `kind` (by default the field's ROW_OF entry)."""

    kind: str | None = None


ROW = Row()

Template = Any  # dicts, lists and values; Row placeholders; callables of the salon


@dataclass(frozen=True)
class Base:
    """A request that the salon's own token gets answered `ok` (path parameters: ROW)."""

    ok: int
    query: dict[str, Template] = field(default_factory=dict)
    body: Template = None
    path: dict[str, Template] = field(default_factory=dict)


def _customer(name: str) -> dict[str, str]:
    return {"name": name, "phone": "+49 171 2345678"}


_ABSENCE_BODY = {"start": at(ABSENCE[0]), "end": at(ABSENCE[1])}

# Base requests per operation, by a name for the test id.
BASES: dict[str, dict[str, Base]] = {
    "GET /services": {"list": Base(200)},
    "GET /availability": {
        "search": Base(200, query={"service": ROW, "staff": ROW, "from": at(0), "to": at(8)}),
    },
    "GET /explain": {
        "explain": Base(200, query={"service": ROW, "staff": ROW, "start": at(24)}),
    },
    "POST /holds": {
        "hold": Base(
            201,
            body={
                "service_id": ROW,
                "staff_id": ROW,
                "start": at(6),
                "customer": _customer("Eva"),
            },
        ),
    },
    "POST /appointments": {
        "book": Base(
            201,
            body={
                "service_id": ROW,
                "staff_id": ROW,
                "start": at(6.5),
                "customer": _customer("Eva"),
            },
        ),
        "confirm a hold": Base(201, body={"hold_id": ROW}),
    },
    "GET /appointments/{appointment_id}": {
        "booked": Base(200),
        "held": Base(200, path={"appointment_id": Row("hold_id")}),
    },
    "POST /appointments/{appointment_id}/reschedule": {
        "move": Base(200, body={"start": at(24), "staff_id": ROW}),
    },
    "POST /appointments/{appointment_id}/cancel": {
        "booked": Base(200, body={"reason": "Kundin krank"}),
        "held": Base(200, body={}, path={"appointment_id": Row("hold_id")}),
    },
    "POST /staff/{staff_id}/absences": {
        "dry run": Base(200, body=_ABSENCE_BODY | {"dry_run": True}),
        "apply a plan": Base(201, body=_ABSENCE_BODY | {"plan_id": ROW, "skip": [ROW]}),
    },
    "GET /calls": {"list": Base(200, query={"limit": 100})},
    "GET /calls/{call_id}": {"one": Base(200)},
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with {parameters}
    parameters: dict[str, Any]
    query: dict[str, Any]
    body: Any

    def send(self, client: ApiClient) -> Any:
        path = self.path
        for name, value in self.parameters.items():
            path = path.replace(f"{{{name}}}", str(value))
        if self.method == "GET":
            return client.get(path, **self.query)
        query = f"?{urlencode(self.query)}" if self.query else ""
        return client.post(f"{path}{query}", self.body)

    def with_value(self, address: Address, value: object) -> Request:
        """The request with `value` at `address` (an array: `value` its only item)."""
        where, *keys = address
        if where == "path":
            return replace(self, parameters=self.parameters | {keys[0]: value})
        if where == "query":
            return replace(self, query=self.query | {keys[0]: value})
        return replace(self, body=_put(self.body, keys, value))


def _put(data: Any, keys: list[str], value: object) -> Any:
    if not keys:
        return value
    key, *rest = keys
    if key == "[]":
        return [_put(None, rest, value)]
    return data | {key: _put(data[key], rest, value)}


def _resolved(template: Template, salon: Salon, address: Address) -> Any:
    if isinstance(template, Row):
        return _json(row_value(template, address, salon))
    if callable(template):
        return template(salon)
    if isinstance(template, dict):
        return {key: _resolved(value, salon, (*address, key)) for key, value in template.items()}
    if isinstance(template, list):
        return [_resolved(item, salon, (*address, "[]")) for item in template]
    return template


def _json(value: object) -> object:
    return str(value) if isinstance(value, UUID) else value


def _rows_in(template: Template, address: Address) -> Iterator[tuple[Address, Row]]:
    if isinstance(template, Row):
        yield address, template
    elif isinstance(template, dict):
        for key, value in template.items():
            yield from _rows_in(value, (*address, key))
    elif isinstance(template, list):
        for item in template:
            yield from _rows_in(item, (*address, "[]"))


def _kind(row: Row, address: Address) -> str:
    kind = row.kind or next(key for key in reversed(address) if key != "[]")
    assert kind in ROW_OF, f"say in ROW_OF which row of a salon {kind} names"
    return kind


def row_value(row: Row, address: Address, salon: Salon) -> object:
    return ROW_OF[_kind(row, address)].row(salon)


def _path_template(operation: Operation, base: Base) -> dict[str, Template]:
    return {name: base.path.get(name, ROW) for name in operation.path_parameters()}


def rows_of(operation: Operation, base: Base) -> dict[Address, Row]:
    """Where `base` names a row of its salon."""
    parts = {"path": _path_template(operation, base), "query": base.query, "body": base.body}
    return {
        address: row for where, part in parts.items() for address, row in _rows_in(part, (where,))
    }


def request_of(operation: Operation, base: Base, salon: Salon) -> Request:
    return Request(
        operation.method,
        operation.path,
        _resolved(_path_template(operation, base), salon, ("path",)),
        _resolved(base.query, salon, ("query",)),
        _resolved(base.body, salon, ("body",)),
    )


OPERATIONS = operations()


@dataclass(frozen=True)
class Case:
    operation: Operation
    base: str | None  # None: no base request sends the field (the case fails)
    field: IdField

    def __str__(self) -> str:
        return f"{self.operation} [{self.base}] {self.field}"


def cases() -> Iterator[Case]:
    for operation in OPERATIONS:
        bases = BASES.get(operation.key, {})
        for id_field in operation.id_fields:
            sending = [
                name for name, base in bases.items() if id_field.address in rows_of(operation, base)
            ]
            yield from (Case(operation, name, id_field) for name in sending or [None])


def mounted_apis() -> list[NinjaAPI]:
    return [value for value in vars(phasebook.urls).values() if isinstance(value, NinjaAPI)]


def test_the_operations_read_are_those_of_the_one_api_mounted() -> None:
    assert mounted_apis() == [api_v1], "a new API: read its document in tests/support/openapi.py"
    assert [case for case in cases() if case.field.address[0] == "body"]  # not vacuous


def test_every_operation_has_base_requests_that_name_rows_only_in_id_fields() -> None:
    keys = [operation.key for operation in OPERATIONS]
    assert [key for key in keys if key not in BASES] == [], "give these a base request in BASES"
    assert [key for key in BASES if key not in keys] == [], "BASES names operations that are gone"
    for operation in OPERATIONS:
        fields = {id_field.address for id_field in operation.id_fields}
        for name, base in BASES[operation.key].items():
            stray = [address for address in rows_of(operation, base) if address not in fields]
            assert stray == [], f"{operation} [{name}] sends a row where the schema has no id"


def traces_of(salon: Salon) -> set[str]:
    """Every text and UUID of the salon's rows (long enough to be telling)."""
    return {
        str(value)
        for rows in everything_of(salon).values()
        for row in rows
        for value in row.values()
        if isinstance(value, str | UUID) and len(str(value)) >= 6
    }


def assert_shows_nothing_of(response: Any, world: SimpleNamespace) -> None:
    """Nothing of B that A does not have as well (names, ids, numbers) is in the answer."""
    text = response.content.decode()
    shown = sorted(trace for trace in traces_of(world.b) - traces_of(world.a) if trace in text)
    assert shown == [], text[:500]


def _base_cases() -> Iterator[tuple[Operation, str | None]]:
    for operation in OPERATIONS:
        yield from ((operation, name) for name in BASES.get(operation.key) or [None])


@pytest.mark.parametrize(("operation", "name"), list(_base_cases()), ids=lambda value: str(value))
def test_a_salons_own_request_is_answered_and_shows_nothing_of_another(
    operation: Operation, name: str | None, world: SimpleNamespace
) -> None:
    assert name is not None, f"give {operation} a base request in BASES"
    request = request_of(operation, BASES[operation.key][name], world.a)
    before = everything_of(world.b)
    response = request.send(ApiClient(world.a.token))
    assert response.status_code == BASES[operation.key][name].ok, response.content
    assert_shows_nothing_of(response, world)
    assert everything_of(world.b) == before


@pytest.mark.parametrize("case", list(cases()), ids=str)
def test_another_salons_row_is_refused_as_a_missing_one_and_stays_as_it_was(
    case: Case, world: SimpleNamespace
) -> None:
    assert case.base is not None, f"give {case.operation} a base request that sends {case.field}"
    base = BASES[case.operation.key][case.base]
    address = case.field.address
    row = rows_of(case.operation, base)[address]
    own = request_of(case.operation, base, world.a)
    foreign = own.with_value(address, _json(row_value(row, address, world.b)))
    before = everything_of(world.b)
    client = ApiClient(world.a.token)

    refused = foreign.send(client)
    status, error = ROW_OF[_kind(row, address)].refused
    assert refused.status_code == status, refused.content
    assert refused.json()["error"] == error
    assert_shows_nothing_of(refused, world)
    assert everything_of(world.b) == before
    missing = own.with_value(address, case.field.missing_value()).send(client)
    assert (refused.status_code, refused.json()) == (missing.status_code, missing.json())
    # With the salon's own row in that place the same request is answered: the refusal is
    # tenancy, not a bad request.
    assert own.send(client).status_code == base.ok
