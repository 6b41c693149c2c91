"""Django's SQLite backend, with the database's write lock handed out in order in this process.

Every write transaction on SQLite begins with BEGIN IMMEDIATE (settings.py), and a
connection that finds the write lock taken waits in SQLite's busy handler, which sleeps in
steps of up to 100 ms and is not fair. In one process that serves requests and runs the
Cal.com sync in threads (the demo), a request could wait seconds while the runner's short
transactions kept taking the lock (bench/README.md has the figures). So the threads of a
process take a lock of their own before BEGIN IMMEDIATE and give it back at COMMIT or
ROLLBACK: the longest waiting thread is woken as soon as the lock is free. Other processes
still meet at SQLite's lock as before.
"""

from __future__ import annotations

import collections
import threading
from typing import Any

from django.db.backends.sqlite3 import base

# Longer than any write transaction of ours; after it the thread waits at SQLite's own lock
# (30 s timeout) as it would without this one, so a stuck holder cannot wedge the process.
LOCK_WAIT_SECONDS = 30.0


class FairLock:
    """A lock handed to the waiting threads in the order they asked for it. A released
    threading.Lock goes to whichever thread gets there first, often one that has just
    released it, so under load a request could wait seconds behind later ones."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiting: collections.deque[threading.Lock] = collections.deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        with self._guard:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        if turn.acquire(timeout=timeout):
            return True  # release() handed the lock over: it stayed held for us
        with self._guard:
            if turn in self._waiting:
                self._waiting.remove(turn)
                return False
        return True  # handed over while the wait ran out: ours after all

    def release(self) -> None:
        with self._guard:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._held = False

    def locked(self) -> bool:
        return self._held


_write_lock = FairLock()


# django-stubs do not declare the backend's private hooks; they are Django's own (5.2).
_SQLiteWrapper: Any = base.DatabaseWrapper


class DatabaseWrapper(_SQLiteWrapper):
    _holds_write_lock = False

    def _start_transaction_under_autocommit(self) -> None:
        self._holds_write_lock = _write_lock.acquire(timeout=LOCK_WAIT_SECONDS)
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self) -> Any:
        try:
            return super()._close()
        finally:
            self._release_write_lock()

    def _release_write_lock(self) -> None:
        if self._holds_write_lock:
            self._holds_write_lock = False
            _write_lock.release()
