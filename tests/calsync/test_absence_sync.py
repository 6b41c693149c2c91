"""Applying an absence's plan: the Cal.com mirror follows every move, as for any reschedule."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from phasebook.absences.services import Result, apply_absence
from phasebook.booking.models import SyncStatus
from phasebook.calsync.env import SyncEnv
from phasebook.calsync.sync import drain
from tests.factories import ACTOR
from tests.support.booking import book
from tests.support.mirror import Mirror


def test_the_moved_phases_are_mirrored_with_the_new_stylist(
    salon: SimpleNamespace, mirror: Mirror, env: SyncEnv
) -> None:
    colour = book(salon)  # Anna's, Wednesday 10:00
    drain(env)
    day = colour.start.astimezone(salon.company.zone).replace(hour=0, minute=0)

    applied = apply_absence(
        salon.company, salon.anna.pk, day, day + timedelta(days=1), "krank", actor=ACTOR
    )
    drain(env)

    assert [outcome.result for outcome in applied.outcomes] == [Result.MOVED]
    colour.refresh_from_db()
    assert colour.calcom_sync_status == SyncStatus.SYNCED
    live = mirror.live_bookings()
    assert len(live) == 4  # one per staff-required phase, the old ones cancelled
    assert {booking.host_id for booking in live} == {mirror.hosts[str(salon.ben.pk)]}
    for phase in colour.phases.filter(staff_required=True):
        (booking,) = mirror.live_for_phase(phase.pk)
        assert (booking.start, booking.end) == (phase.start_time, phase.end_time)
