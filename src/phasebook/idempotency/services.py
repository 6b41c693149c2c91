"""Retried writes run once: the same key with the same request gets the first answer again
(Stripe's semantics), whoever retries it: an API client, or Retell retrying a phone tool.

Interface:

    from phasebook.idempotency.services import InProgress, KeyReused, Outcome, fingerprint, run_once

    outcome = run_once(
        company,
        scope="retell-tool",                     # which caller; keys are unique per scope
        key=f"{call_id}:{tool_name}",            # what the caller sends again on a retry
        request=fingerprint(tool_name, args),    # what the key stands for
        operation=lambda: Outcome(200, json.dumps(reply)),
    )
    outcome.status, outcome.body, outcome.replayed

- A key belongs to one salon: (company, scope, key) is unique, and the key is kept for
  `KEEP` (24 hours) after its first use; `purge_expired` (celery beat `idempotency.purge`,
  or the in-process runner without a broker) deletes it then.
- `operation()` runs at most once per kept key. It runs in no transaction of ours: it opens its
  own and may call other systems. It returns an `Outcome`: the status and body text to answer
  with (errors included: a refused booking answers the same refusal to its retry).
- The same key with another `request` raises `KeyReused` (the API answers 422).
- A retry that arrives while the first run is still going waits for it, up to
  `settings.PHASEBOOK_IDEMPOTENCY_WAIT_SECONDS`, and then gets its outcome; if the first is
  not done by then, `InProgress` (the API answers 409 with Retry-After). Concurrent duplicates
  therefore resolve to one write.
- An outcome that `keep` refuses (by default a 5xx), or an exception from `operation`, releases
  the key: nothing was written, so a retry runs anew. `forget` releases a stored outcome
  that no longer holds.
- A run whose process died before it stored its outcome leaves the key unfinished: whether it
  wrote is unknown, so retries get `InProgress(abandoned=True)` rather than a second write,
  until the key expires. The client checks what happened and continues with a new key.

Steps of `run_once`:
1. claim the key: insert its row in a transaction of its own; the unique constraint lets
   exactly one of several concurrent claimants win, on PostgreSQL and SQLite alike;
2. a claimant that lost reads the winner's row: another request -> KeyReused; finished ->
   replay its outcome; unfinished -> poll until it is finished or the wait is over;
3. the winner runs the operation;
4. and stores its outcome on the row, or deletes the row when the outcome is not kept.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from phasebook.idempotency.models import IdempotencyKey
from phasebook.salons.models import Company

KEEP = timedelta(hours=24)
# Longer than any request may run (gunicorn kills a worker after 30 s): an unfinished key
# older than this belongs to a run that died.
ABANDONED_AFTER = timedelta(minutes=5)
_POLL_SECONDS = (0.02, 0.05, 0.1, 0.2, 0.5)


@dataclass(frozen=True)
class Outcome:
    status: int
    body: str
    content_type: str = "application/json"
    replayed: bool = False


class KeyReused(Exception):
    """The key was used for another request."""


class InProgress(Exception):
    """The key's first request has not finished; `abandoned` if it never will."""

    def __init__(self, *, abandoned: bool) -> None:
        super().__init__("abandoned" if abandoned else "in progress")
        self.abandoned = abandoned


def fingerprint(*parts: object) -> str:
    """A stable SHA-256 of JSON-able parts (dict keys in any order give the same)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _kept_by_default(outcome: Outcome) -> bool:
    return outcome.status < 500


def run_once(
    company: Company,
    scope: str,
    key: str,
    request: str,
    operation: Callable[[], Outcome],
    keep: Callable[[Outcome], bool] = _kept_by_default,
) -> Outcome:
    """The outcome of `operation` for this key: run now, or replayed from its first run."""
    claimed = _claim(company, scope, key, request)
    while claimed is None:
        replayed = _outcome_of_first_run(company, scope, key, request)
        if replayed is not None:
            return replayed
        # The first run released the key (it failed having written nothing): run it here.
        claimed = _claim(company, scope, key, request)
    try:
        outcome = operation()
    except BaseException:
        claimed.delete()
        raise
    if keep(outcome):
        _store(claimed, outcome)
    else:
        claimed.delete()
    return outcome


def forget(company: Company, scope: str, key: str) -> None:
    """Let the key's next use run anew: its stored outcome no longer holds (the phone
    agent's hold it answered with was released since, dispatch.py)."""
    _rows(company, scope, key).delete()


def _claim(company: Company, scope: str, key: str, request: str) -> IdempotencyKey | None:
    """The new row if this call won the key; None if another request holds it."""
    now = timezone.now()
    for _ in range(2):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    company=company,
                    scope=scope,
                    key=key,
                    fingerprint=request,
                    created_at=now,
                    expires_at=now + KEEP,
                )
        except IntegrityError:
            # Somebody holds the key; if only an expired row not yet purged, it goes.
            if not _rows(company, scope, key).filter(expires_at__lte=now).delete()[0]:
                return None
    return None


def _rows(company: Company, scope: str, key: str) -> QuerySet[IdempotencyKey]:
    return IdempotencyKey.objects.filter(company=company, scope=scope, key=key)


def _outcome_of_first_run(company: Company, scope: str, key: str, request: str) -> Outcome | None:
    """The first run's outcome once it is stored; None if the first run released the key."""
    deadline = time.monotonic() + settings.PHASEBOOK_IDEMPOTENCY_WAIT_SECONDS
    polls = iter(_POLL_SECONDS)
    while True:
        row = _rows(company, scope, key).first()
        if row is None:
            return None
        if row.fingerprint != request:
            raise KeyReused
        if row.status is not None:
            return Outcome(row.status, row.body, row.content_type, replayed=True)
        if _abandoned(row, timezone.now()):
            raise InProgress(abandoned=True)
        pause = next(polls, _POLL_SECONDS[-1])
        if time.monotonic() + pause > deadline:
            raise InProgress(abandoned=False)
        time.sleep(pause)


def _abandoned(row: IdempotencyKey, now: datetime) -> bool:
    return now - row.created_at > ABANDONED_AFTER


def _store(row: IdempotencyKey, outcome: Outcome) -> None:
    IdempotencyKey.objects.filter(pk=row.pk).update(
        status=outcome.status, body=outcome.body, content_type=outcome.content_type
    )


def purge_expired(now: datetime | None = None) -> int:
    """Delete the keys whose 24 hours are over; returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
