"""Rate limits for the writes that can be abused: holds and bookings, per token and per caller.

`limits` does the counting (fixed windows: "20/minute" allows 20 hits per calendar minute):
in Redis when `settings.PHASEBOOK_RATE_LIMIT_REDIS_URL` is set (by default the broker's, if it
is Redis), else in the database with `DatabaseStorage`, one atomic upsert per hit. Either way
every worker process shares the same counts. When that Redis is the broker and goes away, the
counting moves to the database until it is back (logged): a broker outage never fails a booking.

    hit("20/minute", "token", str(token.pk))   # raises Throttled(retry_after) when over
"""

from __future__ import annotations

import logging
import math
import time
from functools import cache

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from limits import parse
from limits.storage import RedisStorage, Storage
from limits.strategies import FixedWindowRateLimiter

from phasebook.security.models import RateLimitCounter

logger = logging.getLogger(__name__)

# A Redis that does not answer must not hold up a request for long (seconds).
REDIS_TIMEOUT = 1


class Throttled(Exception):
    """Over a rate limit; `retry_after` whole seconds until the window ends."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def hit(rate: str, *identifiers: str) -> None:
    """Count one hit of `rate` (e.g. "20/minute") for `identifiers`; Throttled when over."""
    item = parse(rate)
    limiter = _limiter(settings.PHASEBOOK_RATE_LIMIT_REDIS_URL)
    try:
        allowed = limiter.hit(item, *identifiers)
    except limiter.storage.base_exceptions:
        logger.warning("rate limit storage unreachable; counting in the database meanwhile")
        limiter = _limiter("")
        allowed = limiter.hit(item, *identifiers)
    if allowed:
        return
    reset_at, _ = limiter.get_window_stats(item, *identifiers)
    raise Throttled(max(1, math.ceil(reset_at - time.time())))


@cache
def _limiter(redis_url: str) -> FixedWindowRateLimiter:
    storage: Storage = (
        RedisStorage(redis_url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)
        if redis_url
        else DatabaseStorage()
    )
    return FixedWindowRateLimiter(storage)


class DatabaseStorage(Storage):
    """`limits` storage in phasebook's database, for deployments without Redis.

    A hit is one statement that inserts the window's counter or adds to it (a new window when
    the old one has ended), and returns the count: atomic on PostgreSQL and SQLite alike, so
    concurrent hits are all counted."""

    STORAGE_SCHEME = ["phasebook-database"]

    def __init__(self, uri: str | None = None, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=False)

    @property
    def base_exceptions(self) -> type[Exception]:
        return DatabaseError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        table = RateLimitCounter._meta.db_table
        # In a transaction although it is one statement: on SQLite a write transaction takes
        # the process's write lock in turn (phasebook.common.sqlite), where a bare write
        # waited in SQLite's busy handler, seconds behind the other threads' bookings
        # (bench/http_booking.py, the demo).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table} (key, hits, expires_at) VALUES (%s, %s, %s)
                ON CONFLICT (key) DO UPDATE SET
                    hits = CASE WHEN {table}.expires_at <= %s THEN excluded.hits
                                ELSE {table}.hits + excluded.hits END,
                    expires_at = CASE WHEN {table}.expires_at <= %s THEN excluded.expires_at
                                      ELSE {table}.expires_at END
                RETURNING hits
                """,  # noqa: S608 - the table name is our model's, every value a parameter
                [key, amount, now + expiry, now, now],
            )
            (hits,) = cursor.fetchone()
        return int(hits)

    def get(self, key: str) -> int:
        counter = RateLimitCounter.objects.filter(key=key, expires_at__gt=time.time()).first()
        return counter.hits if counter else 0

    def get_expiry(self, key: str) -> float:
        counter = RateLimitCounter.objects.filter(key=key).first()
        return counter.expires_at if counter else time.time()

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        deleted, _ = RateLimitCounter.objects.all().delete()
        return deleted

    def clear(self, key: str) -> None:
        RateLimitCounter.objects.filter(key=key).delete()


def purge_expired_counters() -> int:
    """Delete the counters of windows that have ended; returns how many."""
    deleted, _ = RateLimitCounter.objects.filter(expires_at__lte=time.time()).delete()
    return deleted
