"""Database functions shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db.models import BigIntegerField, Func


class EpochSeconds(Func):
    """A timestamp as whole seconds since 1970.

    The slot search reads about a thousand phases per query; turning integers into
    datetimes costs a fraction of parsing timestamp text (psycopg's loader wrapped by
    Django runs in Python). Use it only for values that are whole seconds by
    construction, such as phase boundaries, which lie on whole minutes.
    """

    output_field = BigIntegerField()
    template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) AS bigint)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # julianday() is exact to the millisecond; rounding gives the whole second back.
        template = "CAST(round((julianday(%(expressions)s) - 2440587.5) * 86400) AS integer)"
        return self.as_sql(compiler, connection, template=template, **extra)
