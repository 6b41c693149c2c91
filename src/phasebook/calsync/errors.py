"""Problems the sync finds on our side, and the actionable text stored for each failure.

Messages go into `AppointmentPhase.sync_error_message`, which salon staff read: German first,
the English term in parentheses for support, then what to do.
"""

from __future__ import annotations

from phasebook.calcom.connection import CalcomNotConfigured
from phasebook.calcom.errors import (
    CalcomAuthError,
    CalcomConflictError,
    CalcomError,
    CalcomHostBusyError,
    CalcomManagedEventTypeError,
    CalcomRateLimitedError,
    CalcomTransportError,
)


class SyncProblem(Exception):
    """Something Cal.com did not report as an error but that stops or delays this phase."""

    def __init__(self, message: str, kind: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.retryable = retryable


class AbandonJob(Exception):
    """Raised by a checkpoint to act out a worker dying after its HTTP call and before it
    recorded the outcome: the runner then records nothing, and the lease has to expire."""


def is_retryable(error: Exception) -> bool:
    # A busy host or an exact duplicate is usually one of our own bookings that is still
    # being moved or cancelled (ours or another appointment's): it clears up, so retry
    # within the attempt budget instead of failing at once.
    if isinstance(error, CalcomHostBusyError | CalcomConflictError):
        return True
    if isinstance(error, CalcomError | SyncProblem):
        return error.retryable
    # CalcomNotConfigured is the only other expected type; anything else is a bug or a
    # response we could not parse, worth a bounded number of retries.
    return not isinstance(error, CalcomNotConfigured)


def error_kind(error: Exception) -> str:
    """A short label for metrics and the admin (`server_error`, `host_busy`, …)."""
    if isinstance(error, SyncProblem):
        return error.kind
    if isinstance(error, CalcomRateLimitedError) and error.local:
        return "throttled"
    kinds: list[tuple[type[Exception], str]] = [
        (CalcomManagedEventTypeError, "managed_parent"),
        (CalcomAuthError, "auth"),
        (CalcomHostBusyError, "host_busy"),
        (CalcomConflictError, "conflict"),
        (CalcomRateLimitedError, "rate_limited"),
        (CalcomTransportError, "transport"),
        (CalcomNotConfigured, "not_configured"),
    ]
    for error_type, kind in kinds:
        if isinstance(error, error_type):
            return kind
    status = getattr(error, "status_code", None)
    return f"http_{status}" if status else type(error).__name__


def error_message(error: Exception, company_slug: str) -> str:
    """The text a salon sees; names the fix for every permanent error."""
    provision = f"phasebook calcom_provision --company {company_slug}"
    if isinstance(error, CalcomManagedEventTypeError):
        return (
            "Der Cal.com-Event-Type ist ein verwalteter Eltern-Typ und nicht buchbar "
            f"(managed parent event type): Event-Types pro Stylist:in anlegen mit {provision}. "
            f"Cal.com: {error.calcom_message}"
        )
    if isinstance(error, CalcomAuthError):
        return (
            "Cal.com lehnt den API-Key ab (API key rejected): neuen Key setzen mit "
            f"phasebook calcom_connect --company {company_slug} --api-key KEY"
        )
    if isinstance(error, CalcomHostBusyError | CalcomConflictError):
        return (
            "Cal.com meldet die Stylistin/den Stylisten zu dieser Zeit als belegt "
            "(host busy): Fremdtermine in Cal.com prüfen; der Abgleich versucht es erneut."
        )
    if isinstance(error, CalcomRateLimitedError):
        return (
            "Wartet auf das Anfragelimit von Cal.com (rate limited): wird in "
            f"{error.retry_after_seconds:.0f} s von selbst erneut versucht."
        )
    if isinstance(error, SyncProblem | CalcomNotConfigured):
        return str(error)
    return f"Cal.com-Fehler (Cal.com error): {error}"[:1000]


def gave_up_message(attempts: int, last: str) -> str:
    return (
        f"Nach {attempts} Versuchen aufgegeben (gave up after {attempts} attempts), "
        f"bitte prüfen: {last}"
    )
