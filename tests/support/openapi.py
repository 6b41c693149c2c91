"""The operations of API v1 as its OpenAPI document describes them, and in each the places
where a caller names a row: path and query parameters and body fields (at any depth, and
the items of arrays) whose name says id (`id`, `…_id`, `…_ids`) or whose type is an id (a
UUID, or the API's 64-bit database id). The tenancy tests send another salon's row in each
of these places; reading them from the document means a new route or field is covered
without editing a list."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from phasebook.api.schemas import MAX_ID
from phasebook.api.v1 import api

# Where a value sits in a request: ("path", name), ("query", name) or ("body", key, …),
# with "[]" for the items of an array.
Address = tuple[str, ...]

ID_NAME = re.compile(r"(^|_)ids?$|[a-z]Ids?$")


@dataclass(frozen=True)
class IdField:
    address: Address
    schema: dict[str, Any]  # the field's own schema (one alternative of an anyOf)

    @property
    def name(self) -> str:
        """The name of the field, or of the array whose items it is."""
        return next(key for key in reversed(self.address) if key != "[]")

    def missing_value(self) -> object:
        """A value of the field's type that names no row."""
        if self.schema.get("format") == "uuid":
            return str(uuid.uuid4())
        if self.schema.get("type") == "integer":
            return self.schema.get("maximum", MAX_ID)
        return f"no-such-{self.name}"

    def __str__(self) -> str:
        where, *keys = self.address
        return f"{where} {'.'.join(keys)}".replace(".[]", "[]")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # under /api/v1, with {parameters}
    id_fields: tuple[IdField, ...]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    def path_parameters(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    def path_naming_no_row(self) -> str:
        """The path with a value in each parameter that names no row."""
        path = self.path
        for field in self.id_fields:
            if field.address[0] == "path":
                path = path.replace(f"{{{field.name}}}", str(field.missing_value()))
        return path

    def __str__(self) -> str:
        return self.key


def operations() -> list[Operation]:
    """Every operation of the OpenAPI document of API v1."""
    document = api.get_openapi_schema(path_prefix="")
    reader = _Reader(document["components"]["schemas"])
    return [
        Operation(method.upper(), path, tuple(reader.id_fields(operation)))
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


@dataclass(frozen=True)
class _Reader:
    components: dict[str, Any]

    def id_fields(self, operation: dict[str, Any]) -> Iterator[IdField]:
        for parameter in operation.get("parameters", []):
            if parameter["in"] in ("path", "query"):
                address = (parameter["in"], parameter["name"])
                yield from self._walk(parameter["schema"], address, parameter["name"])
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            yield from self._walk(body["schema"], ("body",), "")

    def _walk(self, schema: dict[str, Any], address: Address, name: str) -> Iterator[IdField]:
        found: dict[Address, IdField] = {}  # anyOf alternatives may name one place twice
        for alternative in self._alternatives(schema):
            if alternative.get("type") == "array":
                items = self._walk(alternative["items"], (*address, "[]"), name)
                found.update((field.address, field) for field in items)
            elif "properties" in alternative:
                for key, value in alternative["properties"].items():
                    inner = self._walk(value, (*address, key), key)
                    found.update((field.address, field) for field in inner)
            elif _names_a_row(name, alternative):
                found.setdefault(address, IdField(address, alternative))
        yield from found.values()

    def _alternatives(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        """The schema's non-null alternatives, references resolved."""
        alternatives = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf") or [schema]
        resolved = [self._resolved(alternative) for alternative in alternatives]
        return [alternative for alternative in resolved if alternative.get("type") != "null"]

    def _resolved(self, schema: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in schema:
            return self._resolved(self.components[schema["$ref"].rsplit("/", 1)[-1]])
        return schema


def _names_a_row(name: str, schema: dict[str, Any]) -> bool:
    database_id = schema.get("type") == "integer" and schema.get("maximum") == MAX_ID
    return bool(ID_NAME.search(name)) or schema.get("format") == "uuid" or database_id
