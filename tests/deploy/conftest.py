"""The deploy/ files checked with the tools that read them in production (promtool).

promtool comes with Debian's `prometheus` package (`.ci/run` installs it). Without it these
tests skip, unless PHASEBOOK_REQUIRE_SERVICES=1 (CI), where a missing promtool fails them.
"""

from __future__ import annotations

import shutil

import pytest

from tests.deploy.promtool import Promtool
from tests.support.environment import unavailable


@pytest.fixture(scope="session")
def promtool() -> Promtool:
    path = shutil.which("promtool")
    if path is None:
        unavailable("promtool not found (Debian package `prometheus`; .ci/run installs it)")
    return Promtool(path)
