"""Whether a company's bookings go to Cal.com, and whether Cal.com is asked before each.

Every booking asks this twice: the preventive slot check before the booking transaction,
the outbox receiver inside it. Like the booking path's own hot reads (booking/snapshot.py)
it is plain SQL, because compiling the ORM queries cost several times more than
PostgreSQL needs to answer them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

# A fixed text: the table names are the models' `db_table` (tests/calsync/test_switches.py
# checks that they still are).
SWITCHES_SQL = """SELECT
    (SELECT is_enabled FROM calcom_calcomconnection WHERE company_id = %s),
    (SELECT slot_check_enabled FROM calsync_calcomsyncsettings WHERE company_id = %s)"""


@dataclass(frozen=True)
class Switches:
    syncs: bool  # the company has an enabled Cal.com connection
    slot_check: bool  # ... and wants Cal.com's slots checked before every booking


def switches(company_id: int) -> Switches:
    with connection.cursor() as cursor:
        cursor.execute(SWITCHES_SQL, [company_id, company_id])
        enabled, slot_check = cursor.fetchone()
    syncs = bool(enabled)
    return Switches(syncs=syncs, slot_check=syncs and bool(slot_check))
