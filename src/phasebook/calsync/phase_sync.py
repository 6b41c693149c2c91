"""Converge one phase in Cal.com: the HTTP half of a sync attempt (no database in here).

An attempt runs in two stages, so that the stages of all phases of an appointment can run in
parallel and a moved phase never collides with its sibling's old booking:
1. `discover_and_tidy`: read the bookings we know of (GET by uid) and, after an attempt whose
   create outcome we never learned, search the windows where it would have landed (list by
   event type and time, matched on our phase id in the metadata). Keep the one live booking
   that matches the desired start, end and event type; cancel every other one of this phase.
2. `create_missing`: if nothing was kept and the phase should be in Cal.com, create it.
   A response carrying another phase's id is rejected; a booking whose length differs from
   the phase is cancelled again. When Cal.com refuses the create as a duplicate or the host
   as busy, the refusal is often our own booking from a create whose answer was lost: the
   window is searched once more and a booking of this phase found there is adopted.
Every fact learned on the way (kept, cancelled, gone, created) is collected in `Progress`, also
when a later call fails, so the recorder can store it and the next attempt starts from there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from phasebook.calcom.client import CalcomClient
from phasebook.calcom.errors import (
    CalcomBadRequestError,
    CalcomConflictError,
    CalcomHostBusyError,
    CalcomNotFoundError,
)
from phasebook.calcom.schemas import Booking, BookingFilters
from phasebook.calsync.errors import AbandonJob, SyncProblem
from phasebook.calsync.plan import DesiredBooking, PhaseJob, Window, phase_id_of

# Called after each Cal.com call that changed something, before the result is recorded.
Checkpoint = Callable[[PhaseJob], None]
DEAD_STATUSES = ("cancelled", "rejected")
CANCEL_REASON = "phasebook: Termin verschoben oder storniert"


def no_checkpoint(job: PhaseJob) -> None:
    return None


@dataclass
class Progress:
    job: PhaseJob
    seen: dict[str, Booking] = field(default_factory=dict)
    kept: Booking | None = None
    cancelled: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)
    created: bool = False
    latency_ms: float | None = None
    # Wall time of this phase's calls in both stages: one attempt's duration.
    seconds: float = 0.0
    error: Exception | None = None
    abandoned: bool = False
    # Set by the recorder: a newer change arrived while this attempt ran.
    superseded: bool = False

    @property
    def needs_create(self) -> bool:
        healthy = self.error is None and not self.abandoned
        return healthy and self.job.desired is not None and self.kept is None


def matches(booking: Booking, desired: DesiredBooking) -> bool:
    return (
        booking.status not in DEAD_STATUSES
        and booking.start == desired.start
        and booking.end == desired.end
        and booking.event_type_id == desired.event_type_id
    )


def discover_and_tidy(job: PhaseJob, client: CalcomClient, checkpoint: Checkpoint) -> Progress:
    progress = Progress(job)
    if job.problem is not None:
        progress.error = job.problem
        return progress
    started = time.monotonic()
    try:
        live = _live_bookings(progress, client)
        progress.kept = _pick_keeper(live, job)
        for booking in live:
            if booking is not progress.kept:
                _cancel(client, booking.uid, progress)
                checkpoint(job)
    except AbandonJob:
        progress.abandoned = True
    except Exception as error:
        progress.error = error
    finally:
        progress.seconds += time.monotonic() - started
    return progress


def create_missing(progress: Progress, client: CalcomClient, checkpoint: Checkpoint) -> None:
    desired = progress.job.desired
    if not progress.needs_create or desired is None:
        return
    started = time.monotonic()
    try:
        try:
            booking = client.create_booking(desired.request)
        except (CalcomConflictError, CalcomHostBusyError):
            progress.kept = _own_booking_in_window(progress, client, desired)
            if progress.kept is None:
                raise  # another booking really holds the stylist: retried later
            return
        progress.latency_ms = round((time.monotonic() - started) * 1000, 1)
        checkpoint(progress.job)
        _accept_created(progress, client, booking, desired)
    except AbandonJob:
        progress.abandoned = True
    except Exception as error:
        progress.error = error
    finally:
        progress.seconds += time.monotonic() - started


def _own_booking_in_window(
    progress: Progress, client: CalcomClient, desired: DesiredBooking
) -> Booking | None:
    """This phase's live booking at the desired time, found after Cal.com refused a create."""
    found = None
    for booking in _ours_in(client, desired.window, progress.job.phase_id):
        _note(progress, booking)
        if found is None and matches(booking, desired):
            found = booking
    return found


def _live_bookings(progress: Progress, client: CalcomClient) -> list[Booking]:
    job = progress.job
    for uid in job.known_uids:
        try:
            booking = client.get_booking(uid)
        except CalcomNotFoundError:
            progress.gone.add(uid)
            continue
        if phase_id_of(booking.metadata) != job.phase_id:
            # A stored uid whose booking names another phase is not ours to keep or cancel.
            progress.gone.add(uid)
            continue
        _note(progress, booking)
    for window in job.lookups:
        for booking in _ours_in(client, window, job.phase_id):
            _note(progress, booking)
    return [b for b in progress.seen.values() if b.uid not in progress.gone]


def _note(progress: Progress, booking: Booking) -> None:
    progress.seen[booking.uid] = booking
    if booking.status in DEAD_STATUSES:
        progress.gone.add(booking.uid)


def _ours_in(client: CalcomClient, window: Window, phase_id: int) -> list[Booking]:
    """This phase's bookings where a create of unknown outcome would have put them."""
    filters = BookingFilters(
        event_type_id=window.event_type_id,
        after_start=window.start,
        before_end=window.end,
        take=250,
    )
    page = client.list_bookings(filters)
    return [b for b in page.bookings if phase_id_of(b.metadata) == phase_id]


def _pick_keeper(live: list[Booking], job: PhaseJob) -> Booking | None:
    """The matching booking, preferring the one already stored on the phase."""
    if job.desired is None:
        return None
    fitting = [b for b in live if matches(b, job.desired)]
    fitting.sort(key=lambda b: (b.uid not in job.known_uids[:1], b.id))
    return fitting[0] if fitting else None


def _cancel(client: CalcomClient, uid: str, progress: Progress) -> None:
    try:
        client.cancel_booking(uid, CANCEL_REASON)
    except CalcomBadRequestError as error:
        # An earlier cancel whose answer was lost: Cal.com says "cancelled already".
        if "cancelled already" not in error.message:
            raise
    progress.cancelled.add(uid)


def _accept_created(
    progress: Progress, client: CalcomClient, booking: Booking, desired: DesiredBooking
) -> None:
    if phase_id_of(booking.metadata) != progress.job.phase_id:
        raise SyncProblem(
            "Cal.com antwortete mit der Buchung einer anderen Phase (response for another "
            "phase); wird erneut geprüft.",
            "foreign_response",
            retryable=True,
        )
    progress.seen[booking.uid] = booking
    progress.created = True
    if matches(booking, desired):
        progress.kept = booking
        return
    _cancel(client, booking.uid, progress)
    raise SyncProblem(
        f"Cal.com legte die Buchung von {booking.start:%H:%M} bis {booking.end:%H:%M} UTC an, "
        f"die Phase dauert bis {desired.end:%H:%M} UTC (event type length mismatch): Länge "
        f"des Event-Types {desired.event_type_id} anpassen oder neu provisionieren mit "
        f"phasebook calcom_provision --company {progress.job.company_slug}",
        "length_mismatch",
    )
