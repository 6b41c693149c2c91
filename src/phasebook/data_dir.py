"""phasebook's data directory: the SQLite database, the generated secret key, static files.

It is an absolute path, so that a command run from another directory finds the same database
and key (a relative `var` once made a new secret key there, which ends every session and makes
the stored Cal.com keys unreadable). By default it is `var/` beside the installation: in the
checkout for a source checkout, else in the virtual environment; PHASEBOOK_DATA_DIR names
another. The key and the database are readable by their owner only.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from phasebook.env import ImproperlyConfiguredEnv

_CHECKOUT = Path(__file__).resolve().parents[2]  # src/phasebook/data_dir.py -> the checkout


def default_data_dir() -> Path:
    if (_CHECKOUT / "pyproject.toml").is_file():
        return _CHECKOUT / "var"
    return Path(sys.prefix) / "var"


def data_dir(configured: str) -> Path:
    """PHASEBOOK_DATA_DIR if set (it must be absolute), else the default; made if missing."""
    path = Path(configured) if configured else default_data_dir()
    if not path.is_absolute():
        raise ImproperlyConfiguredEnv(
            f"PHASEBOOK_DATA_DIR must be an absolute path, not {configured!r}"
        )
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def private_file(path: Path) -> Path:
    """`path`, created empty if missing, readable and writable by its owner only.

    Created with that mode rather than chmod-ed afterwards, so it is never readable by others
    for a moment; SQLite gives its -wal and -shm files the database file's mode."""
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(descriptor)
    path.chmod(0o600)  # also for a file an older version made world-readable
    return path


def local_secret_key(directory: Path) -> str:
    """A random key kept in the data directory, so sessions survive restarts."""
    key_file = private_file(directory / "secret-key")
    key = key_file.read_text().strip()
    if not key:
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
    return key
