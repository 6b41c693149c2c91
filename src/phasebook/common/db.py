"""SQL shared by the apps' hand-written queries."""

from __future__ import annotations

from django.db import connection

_EPOCH_SECONDS = {
    "postgresql": "CAST(EXTRACT(EPOCH FROM {column}) AS bigint)",
    # julianday() is exact to the millisecond; rounding gives the whole second back.
    "sqlite": "CAST(round((julianday({column}) - 2440587.5) * 86400) AS integer)",
}


def epoch_seconds(column: str) -> str:
    """SQL for a timestamp `column` as whole seconds since 1970.

    The slot search reads a couple of thousand phases per query; turning integers into
    datetimes costs a fraction of loading timestamps (Django's timestamp loader for
    psycopg runs in Python). Use it only for values that are whole seconds by
    construction, such as phase and appointment boundaries, which lie on whole minutes.
    """
    return _EPOCH_SECONDS[connection.vendor].format(column=column)
