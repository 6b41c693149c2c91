"""What a server process imports before it serves, instead of during its first request.

Django imports the URLconf (every view, the API's pydantic schemas, the admin, the phone
agent's tools) when the first request arrives, `holidays` imports every country it knows
on the first holiday lookup, `limits` its Redis client on the first booking: seconds of
CPU per process, more where Python cannot cache bytecode. Each gunicorn worker paid them
on its first booking while the requests behind it queued (bench/http_booking.py). No
database access here: under gunicorn's `preload_app` this runs in the master, and its
workers would share any connection it opened.
"""

from __future__ import annotations

import importlib

from django.conf import settings
from django.urls import resolve


def warm_up() -> None:
    resolve("/healthz")  # imports the URLconf and everything it names
    importlib.import_module("holidays.countries")
    if settings.PHASEBOOK_RATE_LIMIT_REDIS_URL:
        # The rate limits' Redis client (booking/limits.py), which `limits` imports on the
        # first counted write: 0.6 s of a worker's first booking without cached bytecode.
        importlib.import_module("redis")
