"""Every API operation whose path names an object, called with salon A's token on salon B's
object: 404 as for an object that does not exist, and nothing of B changes. The operations
come from the NinjaAPIs the URL configuration mounts, so a new route is covered without
editing this file (and fails until it says below which object its parameter names)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any, get_args

import pytest
from ninja import NinjaAPI
from ninja.operation import Operation

import phasebook.urls
from tests.support.api import ApiClient
from tests.tenancy.world import everything_of

# Which of a salon's objects a path parameter names, by the parameter's name.
OBJECT_OF_PARAMETER: dict[str, Callable[[SimpleNamespace], Any]] = {
    "appointment_id": lambda salon: salon.appointment.pk,
    "staff_id": lambda salon: salon.anna.pk,
    "call_id": lambda salon: salon.rows["phone.Call"].call_id,
}


def _later(salon: SimpleNamespace, hours: int) -> str:
    return (salon.appointment.start + timedelta(hours=hours)).isoformat()


# A body each operation accepts from its own salon, by the name of its body schema.
BODY_OF_SCHEMA: dict[str, Callable[[SimpleNamespace], dict[str, Any]]] = {
    "RescheduleIn": lambda salon: {"start": _later(salon, 2)},
    "CancelIn": lambda salon: {"reason": "Kundin krank"},
    "AbsenceIn": lambda salon: {"start": _later(salon, 24), "end": _later(salon, 32)},
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # under /api/v1, with {parameters}
    operation: Operation

    def parameters(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    def body_schema(self) -> str | None:
        """The name of the schema of the body, if the operation takes one (maybe optional)."""
        for model in self.operation.models:
            if model.__ninja_param_source__ == "body":
                annotation = model.model_fields["body"].annotation
                kinds = (annotation, *get_args(annotation))
                return next(kind.__name__ for kind in kinds if isinstance(kind, type))
        return None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def mounted_apis() -> list[NinjaAPI]:
    return [value for value in vars(phasebook.urls).values() if isinstance(value, NinjaAPI)]


def routes() -> Iterator[Route]:
    for api in mounted_apis():
        for prefix, router in api._routers:
            for path, path_view in router.path_operations.items():
                for operation in path_view.operations:
                    for method in operation.methods:
                        yield Route(method, f"{prefix}{path}", operation)


OBJECT_ROUTES = [route for route in routes() if route.parameters()]


def test_the_api_has_routes_that_name_objects() -> None:
    assert mounted_apis()
    assert OBJECT_ROUTES  # the test below would pass vacuously without


def call(route: Route, client: ApiClient, salon: SimpleNamespace) -> Any:
    """`route` through `client`, on `salon`'s objects, with a body `salon` could send."""
    path = route.path
    for name in route.parameters():
        assert name in OBJECT_OF_PARAMETER, f"say in OBJECT_OF_PARAMETER which object {name} is"
        path = path.replace(f"{{{name}}}", str(OBJECT_OF_PARAMETER[name](salon)))
    if route.method == "GET":
        return client.get(path)
    schema = route.body_schema()
    if schema is None:
        return client.post(path)
    assert schema in BODY_OF_SCHEMA, f"give BODY_OF_SCHEMA a body of {schema}"
    return client.post(path, BODY_OF_SCHEMA[schema](salon))


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=str)
def test_another_salons_object_is_not_found_and_stays_as_it_was(
    route: Route, world: SimpleNamespace
) -> None:
    before = everything_of(world.b)
    response = call(route, ApiClient(world.a.token), world.b)
    assert response.status_code == 404, response.content
    assert response.json()["error"] == "not_found"
    assert everything_of(world.b) == before
    # The same request from B's own token is answered: the 404 is tenancy, not a bad request.
    own = call(route, ApiClient(world.b.token), world.b)
    assert own.status_code // 100 == 2, own.content
