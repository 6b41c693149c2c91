"""The deploy/ files checked with the tools that read them in production (promtool).

promtool comes with Debian's `prometheus` package (`.ci/run` installs it). Without it these
tests skip, unless PHASEBOOK_REQUIRE_SERVICES=1 (CI), where a missing promtool fails them.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PROMETHEUS = DEPLOY / "prometheus"


@dataclass(frozen=True)
class Promtool:
    path: str

    def run(self, *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """promtool's exit code, and its stdout and stderr as one text in the order written."""
        return subprocess.run(  # noqa: S603 (our own arguments, no shell)
            [self.path, *map(str, args)],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=60,
            check=False,
        )


@pytest.fixture(scope="session")
def promtool() -> Promtool:
    path = shutil.which("promtool")
    if path is None:
        message = "promtool not found (Debian package `prometheus`; .ci/run installs it)"
        if REQUIRE_SERVICES:
            pytest.fail(f"{message}, and PHASEBOOK_REQUIRE_SERVICES=1 requires it")
        pytest.skip(message)
    return Promtool(path)
