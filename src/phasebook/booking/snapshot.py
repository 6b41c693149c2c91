"""The hot reads of the booking path, as hand-written SQL.

`load_snapshot` reads what the predicate needs to know about some stylists and a caller
around a window: who is busy when, and who performs the service, in one round trip.
`least_busy_qualified` lists the stylists a booking for "any stylist" tries, the least
busy of the day first.

Every slot search and every booking attempt runs these, the latter while holding a
stylist's lock. They are plain SQL rather than ORM queries because building and
compiling those queries cost several times more than PostgreSQL needs to answer them
(bench/README.md has the figures). The SQL is plain enough for PostgreSQL and SQLite.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import connection
from django.utils.translation import gettext_lazy

from phasebook.booking.models import Appointment, AppointmentPhase, AppointmentStatus
from phasebook.common.db import epoch_seconds
from phasebook.salons.models import Absence, ExternalBusyBlock, Staff
from phasebook.scheduling.availability import Busy, BusyKind
from phasebook.scheduling.intervals import Interval

# An appointment lies inside one opening window of one day (weekly hours cannot run
# past midnight), so no appointment or phase is this long. Bounding the start from below
# lets the (staff, start_time) index do a range scan instead of reading every older row.
LONGEST_APPOINTMENT = timedelta(days=1)

# Shown in explanations for a block in the stylist's own calendar; never its title.
EXTERNAL_LABEL = gettext_lazy("Kalender")


@dataclass(frozen=True)
class Snapshot:
    """Busy time overlapping a window, as the scheduling core takes it."""

    staff_busy: dict[UUID, list[Busy]] = field(default_factory=dict)
    customer_busy: list[Busy] = field(default_factory=list)
    qualified: frozenset[UUID] = frozenset()  # the stylists who perform the service
    # Holds that have run out but were not retired yet. They block nobody, but their rows
    # still count for the exclusion constraints: a booking retires them before it writes.
    expired_holds: frozenset[UUID] = frozenset()

    def busy_of(self, staff_id: UUID) -> list[Busy]:
        return self.staff_busy.get(staff_id, [])


@dataclass(frozen=True)
class CallerKey:
    """Which live appointments are the caller's: the customer's, and those that carry the
    caller's phone number in the company (a hold has no customer yet)."""

    company_id: int
    customer_id: int | None = None
    phone: str = ""


def load_snapshot(
    service_id: int | None,
    staff_ids: Sequence[UUID],
    window: Interval,
    now: datetime,
    caller: CallerKey | None = None,
    exclude: UUID | None = None,
) -> Snapshot:
    """Which of `staff_ids` perform the service (if one is given); their live phases,
    absences and external blocks, and the caller's live appointments, that overlap
    `window`. The appointment `exclude` (the one being moved) is left out."""
    query = _Query(window, now, exclude)
    if staff_ids:
        query.add_staff_parts(service_id, staff_ids)
    if caller is not None and (caller.customer_id is not None or caller.phone):
        query.add_caller_part(caller)
    if not query.parts:
        return Snapshot()
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(query.parts), query.params)
        return _collect(cursor.fetchall(), {str(_uuid_param(pk)): pk for pk in staff_ids})


def least_busy_qualified(company_id: int, service_id: int, day: Interval) -> list[Staff]:
    """The company's active stylists who perform the service, those with the fewest minutes
    of live staff-required phases starting in `day` first (ties by name)."""
    columns = ", ".join(f's."{field.column}"' for field in Staff._meta.concrete_fields)
    return list(
        Staff.objects.raw(  # see _Query: only names go into the text
            f"""SELECT {columns} FROM {Staff._meta.db_table} s
            JOIN {Staff.services.through._meta.db_table} q ON q.staff_id = s.id
            WHERE s.company_id = %s AND s.is_active AND q.service_id = %s
            ORDER BY (
                SELECT COALESCE(SUM(p.duration_minutes), 0)
                FROM {AppointmentPhase._meta.db_table} p
                WHERE p.staff_id = s.id AND p.blocks_staff
                  AND p.start_time >= %s AND p.start_time < %s
            ), s.name, s.id""",  # noqa: S608
            [company_id, service_id, _param(day.start), _param(day.end)],
        )
    )


_QUALIFIED = "qualified"
# Typed NULLs: PostgreSQL types an untyped NULL of a UNION's first part as text.
_NO_SECONDS = "CAST(NULL AS bigint)"
_NO_TIMESTAMP = "CAST(NULL AS timestamp with time zone)"
_NO_ID = "CAST(NULL AS uuid)"
_BUSY_KINDS = {kind.value: kind for kind in BusyKind}


def _collect(rows: list[tuple[Any, ...]], staff_by_text: dict[str, UUID]) -> Snapshot:
    staff_busy: dict[UUID, list[Busy]] = defaultdict(list)
    customer_busy: list[Busy] = []
    qualified: set[UUID] = set()
    expired: set[UUID] = set()
    for kind, staff_text, *times, label, expired_hold in rows:
        if kind == _QUALIFIED:
            qualified.add(staff_by_text[staff_text])
        elif expired_hold is not None:
            expired.add(_uuid(expired_hold))
        elif kind == BusyKind.APPOINTMENT:
            customer_busy.append(Busy(_interval(*times), _BUSY_KINDS[kind], label))
        else:
            busy = Busy(_interval(*times), _BUSY_KINDS[kind], label)
            staff_busy[staff_by_text[staff_text]].append(busy)
    return Snapshot(dict(staff_busy), customer_busy, frozenset(qualified), frozenset(expired))


def _interval(start_epoch: int | None, end_epoch: int | None, start: Any, end: Any) -> Interval:
    if start_epoch is not None and end_epoch is not None:
        return Interval(
            datetime.fromtimestamp(start_epoch, UTC), datetime.fromtimestamp(end_epoch, UTC)
        )
    return Interval(_instant(start), _instant(end))


class _Query:
    """Builds the UNION ALL. Every part yields the columns (kind, staff id as text, start
    and end in whole seconds, start and end as timestamps, label, the appointment's id if
    it is an expired hold). Ids come as text and times as seconds where possible, because
    loading UUIDs and timestamps costs more than the query: phases and appointments lie
    on whole minutes, absences and external blocks may not and come as timestamps.

    Here and in `least_busy_qualified` only names, constants and placeholders go into
    the SQL text (hence the `noqa: S608`); every value is a parameter.
    """

    def __init__(self, window: Interval, now: datetime, exclude: UUID | None) -> None:
        self.window = window
        self.now = _param(now)
        self.exclude = exclude
        self.parts: list[str] = []
        self.params: list[Any] = []

    def add_staff_parts(self, service_id: int | None, staff_ids: Sequence[UUID]) -> None:
        ids = [_uuid_param(staff_id) for staff_id in staff_ids]
        placeholders = ", ".join(["%s"] * len(ids))
        if service_id is not None:
            self._add(
                f"""SELECT '{_QUALIFIED}', CAST(staff_id AS text), {_NO_SECONDS}, {_NO_SECONDS},
                    {_NO_TIMESTAMP}, {_NO_TIMESTAMP}, NULL, {_NO_ID}
                FROM {Staff.services.through._meta.db_table}
                WHERE service_id = %s AND staff_id IN ({placeholders})""",  # noqa: S608
                [service_id, *ids],
            )
        phase, appointment = AppointmentPhase._meta.db_table, Appointment._meta.db_table
        # blocks_staff is only ever set on phases of booked or held appointments.
        self._add(
            f"""SELECT '{BusyKind.PHASE.value}', CAST(p.staff_id AS text),
                {epoch_seconds("p.start_time")}, {epoch_seconds("p.end_time")},
                {_NO_TIMESTAMP}, {_NO_TIMESTAMP},
                p.segment_name, {self._expired_hold_id("a")}
            FROM {phase} p JOIN {appointment} a ON a.id = p.appointment_id
            WHERE p.blocks_staff AND p.staff_id IN ({placeholders})
              AND p.start_time < %s AND p.end_time > %s AND p.start_time > %s
              {self._not_excluded("p.appointment_id")}""",  # noqa: S608
            [self.now, *ids, *self._overlapping(bounded=True), *self._exclude_params()],
        )
        for kind, table, label, label_params in (
            (BusyKind.ABSENCE, Absence._meta.db_table, "reason", []),
            (BusyKind.EXTERNAL, ExternalBusyBlock._meta.db_table, "%s", [str(EXTERNAL_LABEL)]),
        ):
            self._add(
                f"""SELECT '{kind.value}', CAST(staff_id AS text), {_NO_SECONDS},
                    {_NO_SECONDS}, "start", "end", {label}, {_NO_ID}
                FROM {table}
                WHERE staff_id IN ({placeholders}) AND "start" < %s AND "end" > %s""",  # noqa: S608
                [*label_params, *ids, *self._overlapping(bounded=False)],
            )

    def add_caller_part(self, caller: CallerKey) -> None:
        # Either side of the OR has its index: the customer's foreign key, and
        # (company, start) for the phone number, bounded like the window.
        whose: list[str] = []
        whose_params: list[Any] = []
        if caller.customer_id is not None:
            whose.append("a.customer_id = %s")
            whose_params.append(caller.customer_id)
        if caller.phone:
            whose.append("(a.company_id = %s AND a.caller_phone = %s)")
            whose_params.extend([caller.company_id, caller.phone])
        self._add(
            f"""SELECT '{BusyKind.APPOINTMENT.value}', NULL,
                {epoch_seconds('a."start"')}, {epoch_seconds('a."end"')},
                {_NO_TIMESTAMP}, {_NO_TIMESTAMP}, '', {self._expired_hold_id("a")}
            FROM {Appointment._meta.db_table} a
            WHERE ({" OR ".join(whose)}) AND a.is_live
              AND a."start" < %s AND a."end" > %s AND a."start" > %s
              {self._not_excluded("a.id")}""",  # noqa: S608
            [self.now, *whose_params, *self._overlapping(bounded=True), *self._exclude_params()],
        )

    def _add(self, sql: str, params: list[Any]) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    @staticmethod
    def _expired_hold_id(alias: str) -> str:
        held = AppointmentStatus.HELD.value
        return (
            f"CASE WHEN {alias}.status = '{held}' AND {alias}.hold_expires_at <= %s"
            f" THEN {alias}.id END"
        )

    def _overlapping(self, *, bounded: bool) -> list[Any]:
        """Parameters for `start < window.end AND end > window.start [AND start > ...]`."""
        params = [_param(self.window.end), _param(self.window.start)]
        if bounded:
            params.append(_param(self.window.start - LONGEST_APPOINTMENT))
        return params

    def _not_excluded(self, column: str) -> str:
        return "" if self.exclude is None else f"AND {column} <> %s"

    def _exclude_params(self) -> list[Any]:
        return [] if self.exclude is None else [_uuid_param(self.exclude)]


def _param(instant: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(instant)


def _uuid_param(value: UUID) -> Any:
    return Staff._meta.pk.get_db_prep_value(value, connection)  # hex text on SQLite


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


def _instant(value: Any) -> datetime:
    """PostgreSQL returns aware datetimes; SQLite naive UTC ones (or text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
