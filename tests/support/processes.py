"""Processes tests start for themselves, each on a loopback port that was free just before
(`free_port`), and ended by the test that started it:

- `running(...)`, `gunicorn(...)`, `celery_worker(...)`: a server as production runs it,
  stopped when the `with` block ends (the monitoring tests, the demo call, serving);
- `OwnRedis`: a Redis of the test's own, stopped and started again to act out an outage;
- `Service`: a process the real-topology test kills and starts again at will.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis
from django.db import connection

from tests.support.environment import unavailable

STARTUP_SECONDS = 60  # a loaded 2-core machine imports Django slowly


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(ready: object, what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(ready) and ready():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} not ready within {seconds:.0f} s")


@dataclass
class OwnRedis:
    """`redis-server` on a free port, no persistence: `stop()` and `start()` it at will."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("no redis-server on PATH")
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def queued(self, queue: str = "celery") -> int:
        return int(redis.Redis.from_url(self.url).llen(queue))


def use_broker(url: str) -> None:
    """Point this process's Celery producer at `url` (it caches its pool on first use)."""
    from phasebook.celery import app

    app.conf.broker_url = url
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@dataclass
class Service:
    """A child process of the test, in a session of its own so that its children die with
    it (a Celery worker's pool); output goes to `log`."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    cwd: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    # A line the process logs once it is ready (a Celery worker logs "<name> ready.").
    ready_line: str = ""

    def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                self.command,
                env=self.env,
                cwd=self.cwd,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL, to the whole process group: no chance to finish or hand anything back."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def kill_a_child(self, rng: random.Random) -> bool:
        """SIGKILL one of the process's children (a Celery worker's pool process, maybe
        mid-task); the worker itself lives on and forks a new one."""
        if self.process is None:
            return False
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        children = [int(pid) for pid in path.read_text().split()] if path.exists() else []
        if not children:
            return False
        with suppress(ProcessLookupError):
            os.kill(rng.choice(children), signal.SIGKILL)
        return True

    def is_ready(self) -> bool:
        """Started and, since its latest start, announced that it is ready."""
        if self.process is None or self.process.poll() is not None:
            return False
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text.count(self.ready_line) >= self.starts

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} ---\n" + "\n".join(text.splitlines()[-lines:])


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


def celery_command(*arguments: str) -> list[str]:
    """`celery -A phasebook <arguments>`, logging at INFO (a worker logs "<name> ready.")."""
    return [sys.executable, "-m", "celery", "-A", "phasebook", *arguments, "--loglevel", "INFO"]


@contextmanager
def celery_worker(env: Mapping[str, str]) -> Iterator[Running]:
    """`celery -A phasebook worker` (prefork, one pool process) serving its exporter on
    PHASEBOOK_METRICS_BIND; ready once the exporter answers."""
    command = celery_command("worker", "--concurrency", "1", "--without-mingle", "--without-gossip")
    with running(command, env, f"http://{env['PHASEBOOK_METRICS_BIND']}/metrics") as started:
        yield started
