"""schemathesis over /api/v1/openapi.json with a valid token: whatever it generates for
each operation (valid and invalid input alike), no answer is a 5xx, every status is
documented, and every body matches the schema documented for its status.

Bounded (a fixed number of examples per operation, derandomized) so that CI stays short.
"""

from __future__ import annotations

from types import SimpleNamespace

import schemathesis
from django.core.wsgi import get_wsgi_application
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
