"""The data directory is the same wherever a command runs, and its secret key and database
are readable by their owner only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from phasebook.data_dir import private_file

CHECKOUT = Path(__file__).resolve().parents[2]
SHOW_DATA_DIR = (
    "import django; django.setup(); from django.conf import settings; print(settings.DATA_DIR)"
)
WRITE_DATABASE = (
    "import django; django.setup(); from django.db import connection\n"
    "with connection.cursor() as cursor: cursor.execute('CREATE TABLE t (x int)')\n"
)


def _run(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PHASEBOOK_DATA_DIR", "DATABASE_URL")
    }
    environment |= {"DJANGO_SETTINGS_MODULE": "phasebook.settings", **env}
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_command_run_elsewhere_uses_the_data_directory_beside_the_installation(
    tmp_path: Path,
) -> None:
    result = _run(SHOW_DATA_DIR, tmp_path)

    assert result.stdout.strip() == str(CHECKOUT / "var"), result.stderr
    assert not (tmp_path / "var").exists()


def test_a_relative_data_directory_is_refused_by_name(tmp_path: Path) -> None:
    result = _run(SHOW_DATA_DIR, tmp_path, PHASEBOOK_DATA_DIR="var")

    assert result.returncode != 0
    assert "PHASEBOOK_DATA_DIR must be an absolute path" in result.stderr


def test_the_secret_key_and_the_database_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"

    result = _run(WRITE_DATABASE, tmp_path, PHASEBOOK_DATA_DIR=str(data))

    assert result.returncode == 0, result.stderr
    files = sorted(path.name for path in data.iterdir())
    assert {"secret-key", "phasebook.sqlite3"} <= set(files)
    assert {name: _mode(data / name) for name in files} == dict.fromkeys(files, 0o600)
    assert _mode(data) == 0o700


@pytest.mark.parametrize("mode", [0o644, 0o666])
def test_a_file_an_older_version_left_readable_is_made_private(tmp_path: Path, mode) -> None:
    old = tmp_path / "phasebook.sqlite3"
    old.write_bytes(b"SQLite format 3\x00")
    old.chmod(mode)

    private_file(old)

    assert (_mode(old), old.read_bytes()) == (0o600, b"SQLite format 3\x00")
