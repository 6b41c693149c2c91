"""Run many writers at once, each on its own thread and database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection

from phasebook.booking.models import Appointment

BARRIER_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Outcome:
    appointment: Appointment | None = None
    error: Exception | None = None


def race(
    writers: Sequence[Callable[[], Appointment]],
    connect: Callable[[], None] | None = None,
) -> list[Outcome]:
    """Release every writer together through a barrier; return their outcomes in order.

    Each thread connects (by `connect`, if given) before the barrier, so the race is
    between bookings rather than between connection set-ups, and closes its connection
    when it is done.
    """
    barrier = threading.Barrier(len(writers), timeout=BARRIER_TIMEOUT_SECONDS)

    def run(writer: Callable[[], Appointment]) -> Outcome:
        try:
            (connect or connection.ensure_connection)()
            barrier.wait()
            return Outcome(appointment=writer())
        except Exception as error:  # every kind is reported: the tests decide which are fine
            return Outcome(error=error)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(writers)) as pool:
        return list(pool.map(run, writers))


def winners(outcomes: Sequence[Outcome]) -> list[Appointment]:
    return [outcome.appointment for outcome in outcomes if outcome.appointment is not None]


def failures(outcomes: Sequence[Outcome]) -> list[Exception]:
    return [outcome.error for outcome in outcomes if outcome.error is not None]
