"""Real server processes for the monitoring tests, each on ports that were free just before."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import httpx
from django.db import connection

STARTUP_SECONDS = 60  # a loaded 2-core machine imports Django slowly


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url_for_processes() -> str:
    """The database pytest-django created, for processes of our own (PostgreSQL only)."""
    settings = connection.settings_dict
    assert connection.vendor == "postgresql", "other processes cannot see SQLite test databases"
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


@contextmanager
def running(command: list[str], env: Mapping[str, str], ready_url: str) -> Iterator[None]:
    """Start `command`, wait until `ready_url` answers, stop it (and its children) at the end."""
    process = subprocess.Popen(  # noqa: S603 (our own command line)
        command,
        env={**os.environ, **env},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_answers(ready_url, process)
        yield
    finally:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


def wait_until_answers(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args} exited: {process.stderr.read()[-3000:]}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {STARTUP_SECONDS} s")


@contextmanager
def gunicorn(env: Mapping[str, str]) -> Iterator[None]:
    """phasebook as production serves it: gunicorn -c python:phasebook.gunicorn_conf."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:phasebook.gunicorn_conf",
        "phasebook.wsgi",
    ]
    with running(command, env, f"http://{env['PHASEBOOK_BIND']}/healthz"):
        yield
