"""On SQLite the threads of one process take the database's write lock in order: a write
transaction holds the process's lock from BEGIN IMMEDIATE until COMMIT or ROLLBACK."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from phasebook.common.sqlite.base import _write_lock
from phasebook.salons.models import Company
from tests.factories import make_company

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backend's own lock")


def test_a_write_transaction_holds_the_process_lock_until_it_commits_or_rolls_back() -> None:
    with transaction.atomic():
        make_company("salon-lock")
        held_inside = _write_lock.locked()
    after_commit = _write_lock.locked()
    with pytest.raises(ZeroDivisionError):
        _write_and_fail()

    assert (held_inside, after_commit, _write_lock.locked()) == (True, False, False)
    assert list(Company.objects.values_list("slug", flat=True)) == ["salon-lock"]


def _write_and_fail() -> None:
    with transaction.atomic():
        make_company("salon-gone")
        raise ZeroDivisionError


def test_a_second_thread_begins_its_write_only_after_the_first_one_committed() -> None:
    seen_by_second: list[bool] = []
    first_inside = threading.Event()

    def second() -> None:
        first_inside.wait()
        with transaction.atomic():
            seen_by_second.append(Company.objects.filter(slug="salon-first").exists())
            make_company("salon-second")
        connection.close()

    thread = threading.Thread(target=second)
    thread.start()
    with transaction.atomic():
        make_company("salon-first")
        first_inside.set()
    thread.join(timeout=30)

    assert seen_by_second == [True]
    assert Company.objects.count() == 2
