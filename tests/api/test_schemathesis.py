"""schemathesis over /api/v1/openapi.json with a valid token: whatever it generates for
each operation (valid and invalid input alike), no answer is a 5xx, every status is
documented, and every body matches the schema documented for its status.

Bounded (a fixed number of examples per operation, derandomized) so that CI stays short.

schemathesis calls Django's real WSGI handler, whose request signals close the database
connection after each request; inside the test's transaction on PostgreSQL that would end
the test's own connection. Django's test client keeps the connection open the same way
(`django.test.client` disconnects `close_old_connections`); so does this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def connection_kept_open() -> Iterator[None]:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_every_answer_is_documented_and_none_is_a_server_error(
    case: schemathesis.Case, salon: SimpleNamespace
) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {salon.token}"}, checks=CHECKS)
