"""On SQLite, BEGIN IMMEDIATE serializes bookings from many threads.

pytest-django's SQLite test database lives in memory with a shared cache, where a
second writer gets "database table is locked" at once instead of waiting for the
write lock as it does on a file. So the threads here book into a file copy of the
test database, as the application does in production on SQLite.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from phasebook.booking.errors import RateLimited, SlotTaken
from phasebook.booking.events import Actor
from phasebook.booking.services import book_appointment, hold_appointment
from tests.booking.test_concurrency import (
    START,
    _client,
    _holds_on_days_of_their_own,
    _request,
    _writer,
)
from tests.factories import set_limits
from tests.support.race import failures, race, winners

WRITERS = 10

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def file_database(tmp_path: Path) -> tuple[Path, Callable[[], None]]:
    """A file copy of the test database, and a hook pointing the calling thread at it."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL has test_concurrency.py")
    path = tmp_path / "bookings.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as target:
        connection.connection.backup(target)
    wrapper = type(connections[DEFAULT_DB_ALIAS])
    settings_dict = {**connection.settings_dict, "NAME": str(path)}

    def use_file() -> None:
        connections[DEFAULT_DB_ALIAS] = wrapper(settings_dict, DEFAULT_DB_ALIAS)
        connection.ensure_connection()

    return path, use_file


def _live_appointments(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as database:
        return database.execute(
            "SELECT staff_id, start FROM booking_appointment WHERE is_live"
        ).fetchall()


def test_bookings_from_many_threads_are_serialized_by_the_write_lock(
    salon: SimpleNamespace, file_database: tuple[Path, Callable[[], None]]
) -> None:
    path, use_file = file_database
    choices = (salon.anna, None)  # Anna asked for by name, or any stylist
    creates = (book_appointment, hold_appointment)
    outcomes = race(
        [
            _writer(
                creates[n % 2],
                salon,
                _request(salon.colour, START, _client(n), choices[(n // 2) % 2]),
            )
            for n in range(WRITERS)
        ],
        connect=use_file,
    )
    assert all(isinstance(error, SlotTaken) for error in failures(outcomes))
    assert sorted(str(won.staff_id) for won in winners(outcomes)) == sorted(
        [str(salon.anna.pk), str(salon.ben.pk)]
    )
    staff_ids = [staff_id for staff_id, _ in _live_appointments(path)]
    assert sorted(staff_ids) == sorted([salon.anna.pk.hex, salon.ben.pk.hex])


@pytest.fixture
def one_hold_per_client(salon: SimpleNamespace) -> SimpleNamespace:
    """The salon with a cap of one live hold per client (before file_database copies it)."""
    set_limits(salon.company, live_holds_per_client=1, client_writes_per_minute=1000)
    return salon


def test_holds_of_one_client_from_many_threads_stop_at_its_cap(
    one_hold_per_client: SimpleNamespace, file_database: tuple[Path, Callable[[], None]]
) -> None:
    path, use_file = file_database
    call = Actor.phone("call-1")
    holds = [(call, _client(n)) for n in range(WRITERS)]
    outcomes = race(_holds_on_days_of_their_own(one_hold_per_client, holds), connect=use_file)

    assert len(winners(outcomes)) == 1
    assert all(isinstance(error, RateLimited) for error in failures(outcomes))
    with sqlite3.connect(path) as database:  # the refused holds were never written
        assert database.execute("SELECT count(*) FROM booking_appointment").fetchone() == (1,)
