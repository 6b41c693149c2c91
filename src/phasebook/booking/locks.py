"""Every row and advisory lock phasebook takes, and the one order they are taken in.

Lock order, everywhere:
1. a new hold's client, then its caller (`lock_holds_of`);
2. the changed appointment's row (`appointments_for_update`);
3. one stylist's day (`lock_stylist_day`);
4. the appointment's phase rows (`phases_for_update`);
5. their sync outbox rows (`outbox_rows_for_update`).
A transaction may leave a step out but never takes one out of order, so the holds of one
client, and a booking, a reschedule, a sync recording and a reconciliation of the same
appointment, queue up instead of deadlocking. A booking that tries several stylists tries
each in a transaction of its own (a savepoint, if the caller has one open) and ends it,
releasing its locks, before it tries the next, so no transaction ever waits for a stylist
while holding another. On SQLite these locks are no-ops: the IMMEDIATE transaction holds the
database's write lock.

One lock stands apart from the order: a Cal.com provisioning rollback locks the event-map
changes it undoes (`event_map_changes_for_update`) in a transaction that takes no other lock.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import TypeVar

from django.db import connection
from django.db.models import Model, QuerySet

from phasebook.booking.models import Appointment, AppointmentPhase
from phasebook.salons.models import Company, Staff

RowT = TypeVar("RowT", bound=Model)


def appointments_for_update() -> QuerySet[Appointment]:
    """Appointments whose rows a query locks until the transaction ends.

    Only the appointment's own row: a plain FOR UPDATE would also lock the joined service,
    stylist and customer rows, and every booking that references one of them (a foreign
    key takes a share lock) would wait for it, out of lock order.
    """
    return Appointment.objects.select_for_update(of=("self",))


def phases_for_update() -> QuerySet[AppointmentPhase]:
    """Phases whose rows a query locks until the transaction ends."""
    return AppointmentPhase.objects.select_for_update(of=("self",))


def outbox_rows_for_update(rows: QuerySet[RowT], *, skip_locked: bool = False) -> QuerySet[RowT]:
    """The sync outbox's `rows` (calsync's model, passed in: booking does not know it), last
    in the lock order. With `skip_locked`, rows another worker holds are left out instead of
    waited for (SQLite has no row locks and ignores both)."""
    return rows.select_for_update(skip_locked=skip_locked, of=("self",))


def event_map_changes_for_update(rows: QuerySet[RowT]) -> QuerySet[RowT]:
    """Cal.com event-map changes (calcom's model, passed in) that a rollback undoes, locked
    so that two rollbacks of one batch undo it once: the second waits, then finds nothing of
    the batch left to undo."""
    return rows.select_for_update(of=("self",))


def lock_holds_of(company: Company, client: str, phone: str) -> None:
    """Serialize new holds of this client, then of this caller (unless `phone` is ""), at
    this salon until the transaction ends.

    The live-hold caps (limits.py) count a client's and a caller's live holds before a new
    one is written: under these locks, two holds of one client or caller cannot both count
    the same free place. Holds of one client queue up here, before any stylist's lock.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key(company, "client", client)])
        if phone:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key(company, "caller", phone)])


def _key(company: Company, kind: str, name: str) -> int:
    """One 64-bit advisory key, stable across processes (unlike hash()). Its single-key
    space is apart from the stylist days' two-key one; a collision only serializes two
    unrelated holds."""
    digest = hashlib.blake2b(f"{company.pk}|{kind}|{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_stylist_day(stylist: Staff, day: date) -> None:
    """Serialize bookings of this stylist on this local day until the transaction ends.

    An appointment lies inside one day's opening hours, so only bookings of the same
    stylist on the same day can collide: locking the day rather than the stylist's row
    lets one stylist's other days be booked in parallel. A transaction-level advisory
    lock is released by commit, rollback, or rolling back the savepoint that took it.
    """
    if connection.vendor != "postgresql":
        return
    # Two 32-bit keys: the UUID's first four random bytes and the day. A collision only
    # serializes two unrelated bookings; the exclusion constraint stays the guarantee.
    stylist_key = int.from_bytes(stylist.pk.bytes[:4], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [stylist_key, day.toordinal()])
