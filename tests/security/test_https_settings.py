"""PHASEBOOK_HTTPS=1 turns on everything a TLS deployment behind a proxy needs: requests
over plain HTTP are redirected (except the probes), HTTPS answers carry HSTS, cookies are
Secure, and the client's address for the login lockout comes from the proxy's header.

Settings are read once per process, so each case runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

PROBE = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from axes.helpers import get_client_ip_address
    from django.test import Client, RequestFactory
    from django.test.utils import setup_test_environment
    setup_test_environment()
    client = Client(HTTP_HOST="booking.example.com")
    plain = client.get("/admin/login/")
    secure = client.get("/admin/login/", headers={"X-Forwarded-Proto": "https"})
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7"
    )
    print(json.dumps({
        "redirect": [plain.status_code, plain.get("Location")],
        "probe": client.get("/healthz").status_code,
        "hsts": secure.get("Strict-Transport-Security"),
        "cookie": secure.cookies["csrftoken"]["secure"],
        "client_ip": get_client_ip_address(request),
    }))
    """
)


def _environment() -> dict[str, str]:
    """This process's environment without what other tests set for themselves (browser
    tests allow Django's sync calls from async code, which a deployment must not)."""
    return {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _probe(data_dir: Path, **env: str) -> dict[str, object]:
    environment = {
        **_environment(),
        "DJANGO_SETTINGS_MODULE": "phasebook.settings",
        "PHASEBOOK_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'probe.sqlite3'}",
        "PHASEBOOK_ALLOWED_HOSTS": "booking.example.com",
        **env,
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PROBE],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_https_redirects_sets_hsts_and_secure_cookies_and_trusts_one_proxy(
    tmp_path: Path,
) -> None:
    probe = _probe(tmp_path, PHASEBOOK_HTTPS="1")

    assert probe["redirect"] == [301, "https://booking.example.com/admin/login/"]
    assert probe["probe"] != 301  # /healthz answers plain HTTP (its status is its own)
    assert probe["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert probe["cookie"] is True
    # The last proxy appended the address it saw; whatever came before may be forged.
    assert probe["client_ip"] == "198.51.100.7"


def test_without_https_nothing_is_redirected_and_no_header_is_trusted(tmp_path: Path) -> None:
    probe = _probe(tmp_path, PHASEBOOK_HTTPS="0")

    assert probe["redirect"][0] == 200
    assert probe["hsts"] is None
    assert probe["cookie"] == ""
    assert probe["client_ip"] == "10.0.0.2"


def test_the_deploy_check_passes_without_warnings_on_a_fresh_machine(tmp_path: Path) -> None:
    environment = {
        **_environment(),
        "PHASEBOOK_HTTPS": "1",
        "PHASEBOOK_ALLOWED_HOSTS": "booking.example.com",
        "PHASEBOOK_DATA_DIR": str(tmp_path),  # nothing there yet: no key, no database
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
    }
    check = [
        sys.executable,
        "-m",
        "phasebook.manage",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    ]

    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        check, env=environment, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
