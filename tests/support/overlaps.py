"""Raw SQL checks of invariant 1, independent of the ORM and of the booking service.

Used by the concurrency tests (booking, absences) and by the benchmarks: after any race, both
counts must be zero.
"""

from __future__ import annotations

from django.db import connection

_STAFF_OVERLAPS = """
    SELECT count(*)
    FROM booking_appointmentphase a
    JOIN booking_appointmentphase b
      ON a.staff_id = b.staff_id
     AND a.id < b.id
     AND tstzrange(a.start_time, a.end_time) && tstzrange(b.start_time, b.end_time)
    WHERE a.blocks_staff AND b.blocks_staff
"""

_CUSTOMER_OVERLAPS = """
    SELECT count(*)
    FROM booking_appointment a
    JOIN booking_appointment b
      ON (a.customer_id = b.customer_id
          OR (a.company_id = b.company_id AND a.caller_phone <> ''
              AND a.caller_phone = b.caller_phone))
     AND a.id < b.id
     AND tstzrange(a.start, a."end") && tstzrange(b.start, b."end")
    WHERE a.is_live AND b.is_live
"""


def _count(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def staff_overlaps() -> int:
    """Pairs of staff-blocking phases of one stylist whose times overlap (PostgreSQL)."""
    return _count(_STAFF_OVERLAPS)


def customer_overlaps() -> int:
    """Pairs of live appointments of one customer, or of one caller's phone number (a
    hold has no customer yet), whose times overlap (PostgreSQL)."""
    return _count(_CUSTOMER_OVERLAPS)
