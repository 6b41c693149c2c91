"""The deploy/ folder and promtool, which reads it as Prometheus does."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

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
