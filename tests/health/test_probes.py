"""`/healthz` and `/readyz`: unauthenticated, and they leak neither tenants nor secrets."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client

from phasebook.calcom.models import CalcomConnection
from phasebook.calcom.setup_check import record_access
from phasebook.salons.models import Company

pytestmark = pytest.mark.django_db

# Ten findings per fixture salon: colour (4 staff segments) and cut (1), two stylists, none of
# them with a Cal.com user yet.
FINDINGS_PER_SALON = 10
DRIVER_ERROR = 'connection to server at "db.internal", user "phasebook", password "hunter2" failed'


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def connected(salon: SimpleNamespace, other_salon: SimpleNamespace) -> list[Company]:
    for company in (salon.company, other_salon.company):
        CalcomConnection.objects.create(company=company, team_id=42)
    return [salon.company, other_salon.company]


def probe(path: str, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().get(path, headers=headers)


@pytest.fixture
def database_down() -> Iterator[None]:
    with mock.patch.object(connection, "cursor", side_effect=OperationalError(DRIVER_ERROR)):
        yield


def test_healthz_answers_without_authentication() -> None:
    response = probe("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_a_silent_database_is_503_without_the_driver_message(
    path: str, database_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    response = probe(path)

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}
    assert "OperationalError" in caplog.text
    assert "hunter2" not in caplog.text + response.content.decode()
    assert "db.internal" not in caplog.text + response.content.decode()


def test_readyz_counts_setup_findings_without_naming_any_company(
    connected: list[Company],
) -> None:
    response = probe("/readyz")

    # Findings are reported, not fatal: an unmapped stylist must not take every salon's
    # booking API out of the load balancer.
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "calcom_setup": {
            "companies_incomplete": 2,
            "findings": 2 * FINDINGS_PER_SALON,
            "companies_key_denied": 0,
            "companies_key_unchecked": 2,
        },
    }
    for company in connected:
        assert company.slug not in response.content.decode()
        assert company.name not in response.content.decode()


def test_companies_without_an_enabled_connection_are_not_counted(
    connected: list[Company],
) -> None:
    CalcomConnection.objects.filter(company=connected[1]).update(is_enabled=False)

    summary = probe("/readyz").json()["calcom_setup"]

    assert summary == {
        "companies_incomplete": 1,
        "findings": FINDINGS_PER_SALON,
        "companies_key_denied": 0,
        "companies_key_unchecked": 1,
    }


def test_a_company_token_adds_only_its_own_count(
    connected: list[Company], salon: SimpleNamespace
) -> None:
    response = probe("/readyz", token=salon.token)

    assert response.json()["company"] == {
        "slug": "salon-a",
        "calcom_setup_findings": FINDINGS_PER_SALON,
        "calcom_key_access": "unchecked",
    }
    assert "salon-b" not in response.content.decode()


def test_readyz_reports_keys_that_cannot_list_their_teams_bookings_and_names_the_fix(
    connected: list[Company], salon: SimpleNamespace
) -> None:
    fix = "… nur MEMBER … (API key cannot list or cancel the team's bookings): …"
    record_access(connected[0], fix)
    record_access(connected[1], None)

    anonymous = probe("/readyz").json()["calcom_setup"]
    own = probe("/readyz", token=salon.token).json()["company"]

    assert (anonymous["companies_key_denied"], anonymous["companies_key_unchecked"]) == (1, 0)
    assert anonymous["fix"] == "phasebook calcom_check --company SLUG names the fix for each salon"
    assert (own["calcom_key_access"], own["calcom_key_fix"]) == ("denied", fix)


def test_an_unknown_token_gets_the_anonymous_answer(connected: list[Company]) -> None:
    assert "company" not in probe("/readyz", token="pb_not-a-token").json()


def test_the_setup_summary_is_computed_at_most_every_few_seconds(
    connected: list[Company],
) -> None:
    probe("/readyz")
    CalcomConnection.objects.all().delete()

    assert probe("/readyz").json()["calcom_setup"]["findings"] == 2 * FINDINGS_PER_SALON


def test_probes_only_answer_reads() -> None:
    assert Client().post("/healthz").status_code == 405
