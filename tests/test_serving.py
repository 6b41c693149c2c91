"""How a server process gets ready: everything imported before its first request."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.processes import free_port

# Modules Django and `holidays` would otherwise import during the first request (seconds).
IMPORTED_ON_FIRST_REQUEST = ["phasebook.urls", "phasebook.api.v1", "holidays.countries"]


def _modules_after_import(module: str) -> dict[str, bool]:
    """Which of those a fresh interpreter holds after importing `module`, with a database
    that does not answer: getting ready must not touch it (gunicorn's master would hand
    its connection to every worker)."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "phasebook.settings",
        "DATABASE_URL": f"postgres://nobody@127.0.0.1:{free_port()}/nothing",
    }
    script = (
        f"import sys, {module}; "
        f"print(*[name in sys.modules for name in {IMPORTED_ON_FIRST_REQUEST!r}])"
    )
    done = subprocess.run(  # noqa: S603 - our interpreter, a fixed script
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answers = done.stdout.split()
    return {
        name: answer == "True"
        for name, answer in zip(IMPORTED_ON_FIRST_REQUEST, answers, strict=True)
    }


@pytest.mark.parametrize("module", ["phasebook.wsgi", "phasebook.asgi"])
def test_the_application_is_ready_to_serve_once_imported(module: str) -> None:
    assert _modules_after_import(module) == dict.fromkeys(IMPORTED_ON_FIRST_REQUEST, True)


def test_gunicorn_forks_its_workers_from_the_master_that_imported_the_application() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from phasebook import gunicorn_conf; print(gunicorn_conf.preload_app)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "True", done.stderr[-3000:]
