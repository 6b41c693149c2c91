"""On SQLite the threads of one process take the database's write lock in order: a write
transaction holds the process's lock from BEGIN IMMEDIATE until COMMIT or ROLLBACK."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from phasebook.common.sqlite.base import FairLock, _write_lock
from phasebook.salons.models import Company
from phasebook.security.throttle import DatabaseStorage
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


def test_a_rate_limit_hit_counts_while_holding_the_process_lock() -> None:
    """A bare write would wait in SQLite's busy handler, behind every thread that takes
    the process's lock meanwhile."""
    held_while_counting: list[bool] = []

    def observe(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if "ratelimitcounter" in sql:
            held_while_counting.append(_write_lock.locked())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(observe):
        hits = DatabaseStorage().incr("client/1/token:1", expiry=60)

    assert (hits, held_while_counting, _write_lock.locked()) == (1, [True], False)


def test_the_lock_goes_to_the_waiting_threads_in_the_order_they_asked() -> None:
    lock, order = FairLock(), []

    def wait_in_line(name: str) -> None:
        assert lock.acquire(timeout=30)
        order.append(name)
        lock.release()

    assert lock.acquire(timeout=1)
    threads = []
    for name in ["first", "second", "third"]:
        threads.append(threading.Thread(target=wait_in_line, args=(name,)))
        threads[-1].start()
        _until(lambda: len(lock._waiting) == len(threads))  # in line before the next starts
    lock.release()
    for thread in threads:
        thread.join(timeout=30)

    assert (order, lock.locked()) == (["first", "second", "third"], False)


def test_a_wait_that_runs_out_leaves_the_lock_to_its_holder_and_the_next_in_line() -> None:
    lock = FairLock()
    assert lock.acquire(timeout=1)
    gave_up = lock.acquire(timeout=0.01)
    held_after = lock.locked()
    lock.release()

    assert (gave_up, held_after, lock.locked(), lock.acquire(timeout=1)) == (
        False,
        True,
        False,
        True,
    )


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "the threads did not get in line"
        time.sleep(0.001)
