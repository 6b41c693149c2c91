"""`/metrics` answers with the metrics token or on the internal address, and 401 otherwise."""

from __future__ import annotations

import json

import httpx
import pytest
from django.test import Client, override_settings

from phasebook.env import ImproperlyConfiguredEnv, env_bind
from tests.support.processes import database_url_for_processes, free_port, gunicorn
from tests.support.scraping import METRICS_TOKEN

pytestmark = pytest.mark.django_db  # a scrape reads the database state

INTERNAL = ("10.0.0.5", 9100)


@pytest.mark.parametrize("token", ["", METRICS_TOKEN])
def test_without_a_token_metrics_are_refused(token: str) -> None:
    with override_settings(PHASEBOOK_METRICS_TOKEN=token):
        response = Client().get("/metrics")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert response.json()["error"] == "unauthorized"


WRONG = [f"Bearer {METRICS_TOKEN}x", f"Basic {METRICS_TOKEN}", "Bearer "]


@pytest.mark.parametrize("header", WRONG)
def test_a_wrong_token_is_refused(header: str) -> None:
    with override_settings(PHASEBOOK_METRICS_TOKEN=METRICS_TOKEN):
        response = Client().get("/metrics", headers={"Authorization": header})

    assert response.status_code == 401


def test_with_no_token_configured_no_bearer_gets_in() -> None:
    with override_settings(PHASEBOOK_METRICS_TOKEN=""):
        response = Client().get("/metrics", headers={"Authorization": "Bearer "})

    assert response.status_code == 401


def test_the_metrics_token_opens_them() -> None:
    with override_settings(PHASEBOOK_METRICS_TOKEN=METRICS_TOKEN):
        response = Client().get("/metrics", headers={"Authorization": f"bearer {METRICS_TOKEN}"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "# TYPE phasebook_calcom_sync_attempts_total counter" in response.content.decode()


@override_settings(PHASEBOOK_METRICS_BIND=INTERNAL, ALLOWED_HOSTS=["10.0.0.5", "testserver"])
def test_the_internal_address_needs_no_token() -> None:
    response = Client().get("/metrics", SERVER_NAME="10.0.0.5", SERVER_PORT="9100")

    assert response.status_code == 200


@override_settings(PHASEBOOK_METRICS_BIND=INTERNAL, ALLOWED_HOSTS=["10.0.0.5", "testserver"])
def test_a_host_header_naming_the_internal_address_is_not_internal() -> None:
    response = Client().get("/metrics", HTTP_HOST="10.0.0.5:9100")

    assert response.status_code == 401


@pytest.mark.postgres
def test_under_gunicorn_only_the_internal_listener_and_the_token_open_metrics() -> None:
    public, internal = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    env = {
        "PHASEBOOK_BIND": public,
        "PHASEBOOK_METRICS_BIND": internal,
        "PHASEBOOK_METRICS_TOKEN": METRICS_TOKEN,
        "PHASEBOOK_WORKERS": "1",
        "DATABASE_URL": database_url_for_processes(),
    }
    with gunicorn(env) as server:
        anonymous = httpx.get(f"http://{public}/metrics")
        forged = httpx.get(f"http://{public}/metrics", headers={"Host": internal})
        with_token = httpx.get(
            f"http://{public}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        )
        on_internal = httpx.get(f"http://{internal}/metrics")
        httpx.get(f"http://{public}/api/v1/services", headers={"X-Request-ID": "req-0000001"})
        server.stop()  # until its last line is written
        log = [json.loads(line) for line in server.output().splitlines()]

    assert (anonymous.status_code, forged.status_code) == (401, 401)
    assert (with_token.status_code, on_internal.status_code) == (200, 200)
    assert "phasebook_calcom_slot_check_seconds_count" in on_internal.text
    # gunicorn's own lines and the app's are JSON alike, and a request's lines carry its id
    assert "gunicorn.error" in {line["logger"] for line in log}
    assert {line["logger"] for line in log if line.get("request_id") == "req-0000001"} == {
        "phasebook.requests",
        "django.request",
    }


@pytest.mark.parametrize(
    ("raw", "address"),
    [("10.0.0.5:9100", ("10.0.0.5", 9100)), ("[::1]:9100", ("::1", 9100)), ("", None)],
)
def test_the_internal_address_is_read_as_host_and_port(
    raw: str, address: tuple[str, int] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHASEBOOK_METRICS_BIND", raw)

    assert env_bind("PHASEBOOK_METRICS_BIND") == address


@pytest.mark.parametrize("raw", ["9100", "10.0.0.5", "10.0.0.5:http", ":9100", "unix:/run/m"])
def test_an_internal_address_that_is_not_host_and_port_stops_the_process(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHASEBOOK_METRICS_BIND", raw)

    with pytest.raises(ImproperlyConfiguredEnv, match="PHASEBOOK_METRICS_BIND must be host:port"):
        env_bind("PHASEBOOK_METRICS_BIND")
