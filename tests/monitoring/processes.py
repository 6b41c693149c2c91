"""Real server processes for the monitoring tests, each on ports that were free just before
(tests.calsync.services.free_port)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
from django.db import connection

STARTUP_SECONDS = 60  # a loaded 2-core machine imports Django slowly


def database_url_for_processes() -> str:
    """The database pytest-django created, for processes of our own (PostgreSQL only)."""
    settings = connection.settings_dict
    assert connection.vendor == "postgresql", "other processes cannot see SQLite test databases"
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


class Running:
    """A started process group; what it wrote to stdout and stderr goes to a file."""

    def __init__(self, command: list[str], env: Mapping[str, str]) -> None:
        self.log_path = Path(tempfile.mkstemp(prefix="phasebook-test-", suffix=".log")[1])
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own command line)
                command,
                env={**os.environ, **env},
                start_new_session=True,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_answers(self, url: str) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.process.args} exited: {self.output()[-3000:]}")
            try:
                httpx.get(url, timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError(f"{url} did not answer within {STARTUP_SECONDS} s")

    def stop(self) -> None:
        """SIGTERM to the whole group, SIGKILL after 20 s."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait()


@contextmanager
def running(command: list[str], env: Mapping[str, str], ready_url: str) -> Iterator[Running]:
    """Start `command`, wait until `ready_url` answers, stop it (and its children) at the end."""
    started = Running(command, env)
    try:
        started.wait_until_answers(ready_url)
        yield started
    finally:
        started.stop()
        started.log_path.unlink(missing_ok=True)


@contextmanager
def gunicorn(env: Mapping[str, str]) -> Iterator[Running]:
    """phasebook as production serves it: gunicorn -c python:phasebook.gunicorn_conf."""
    command = [sys.executable, "-m", "gunicorn", "-c", "python:phasebook.gunicorn_conf"]
    with running(
        [*command, "phasebook.wsgi"], env, f"http://{env['PHASEBOOK_BIND']}/healthz"
    ) as started:
        yield started


@contextmanager
def celery_worker(env: Mapping[str, str]) -> Iterator[Running]:
    """`celery -A phasebook worker` (prefork, one pool process) serving its exporter on
    PHASEBOOK_METRICS_BIND; ready once the exporter answers."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "phasebook",
        "worker",
        "--concurrency",
        "1",
        "--loglevel",
        "INFO",
        "--without-mingle",
        "--without-gossip",
    ]
    with running(command, env, f"http://{env['PHASEBOOK_METRICS_BIND']}/metrics") as started:
        yield started
