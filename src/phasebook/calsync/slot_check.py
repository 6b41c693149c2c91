"""Preventive slot check (seed 5.2 B), per company on/off: before a booking transaction opens,
ask Cal.com whether every staff-required phase is free for the stylist, all phases at once.

Cal.com offers slots on a grid (every event-type length from the start of the working day), and
a phase after a 20-minute segment rarely starts on that grid. So the question is not "is there
a slot starting exactly here" but "do Cal.com's free slots cover the phase", which holds on any
grid and is never more permissive. When Cal.com cannot be asked, the booking goes ahead: our
database stays the source of truth and reconciliation catches up, so an outage at Cal.com must
not stop a salon from booking.

A reschedule's own phases are still booked in Cal.com at their old times, and Cal.com counts
them as busy. A new phase that overlaps one of them (same stylist) is therefore not asked
about: the sync cancels the old bookings before it creates the new ones, and refusing a move
for a conflict with itself would be wrong, so it goes ahead as when Cal.com cannot be asked.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from uuid import UUID

from django.utils.translation import gettext_noop

from phasebook.booking.errors import SlotTaken
from phasebook.booking.models import Appointment
from phasebook.calcom.connection import CalcomNotConfigured
from phasebook.calcom.errors import CalcomError
from phasebook.calcom.models import CalcomEventMap
from phasebook.calcom.schemas import Slot
from phasebook.calsync.env import SyncEnv, default_env
from phasebook.calsync.switches import switches
from phasebook.salons.models import Company, Service, Staff
from phasebook.scheduling.intervals import Interval
from phasebook.scheduling.phases import PlannedPhase, plan_phases
from phasebook.telemetry import metrics

logger = logging.getLogger(__name__)

MAX_PARALLEL_CHECKS = 8
Check = tuple[Staff, PlannedPhase, int | None]


def calcom_slot_check(
    company: Company,
    service: Service,
    candidates: list[Staff],
    start: datetime,
    moving: Appointment | None = None,
    env: SyncEnv | None = None,
) -> list[Staff]:
    """The candidates Cal.com agrees with; SlotTaken (German) when it agrees with none.
    `moving`: the appointment being rescheduled, if any."""
    if not candidates or not switches(company.pk).slot_check:
        return candidates
    started = time.monotonic()
    try:
        agreeing = _agreeing(company, service, candidates, start, moving, env or default_env())
    except (CalcomError, CalcomNotConfigured) as error:
        logger.warning("Cal.com slot check skipped for %s: %s", company.slug, type(error).__name__)
        return candidates
    finally:
        metrics.SLOT_CHECK_SECONDS.observe(time.monotonic() - started)
    if not agreeing:
        raise SlotTaken(
            gettext_noop(
                "Cal.com meldet diese Zeit als belegt, z. B. durch einen direkt in Cal.com "
                "eingetragenen Termin. Bitte eine andere Zeit wählen."
            ),
            alternatives=[],
            calcom=True,
        )
    return agreeing


def _agreeing(
    company: Company,
    service: Service,
    candidates: list[Staff],
    start: datetime,
    moving: Appointment | None,
    env: SyncEnv,
) -> list[Staff]:
    phases = [p for p in plan_phases(service.segment_list, start) if p.staff_required]
    maps = {
        (staff_id, key): event_type_id
        for staff_id, key, event_type_id in CalcomEventMap.objects.filter(
            service=service, staff__in=candidates
        ).values_list("staff_id", "segment_key", "event_type_id")
    }
    own = _own_bookings(moving)
    checks: list[Check] = [
        (stylist, phase, maps.get((stylist.pk, phase.key)))
        for stylist in candidates
        for phase in phases
        if not any(phase.interval.overlaps(busy) for busy in own.get(stylist.pk, ()))
    ]
    if not checks:
        return candidates
    client = env.client_for(company)

    def is_free(check: Check) -> bool:
        _, phase, event_type_id = check
        if event_type_id is None:
            return False  # without an event type Cal.com could not take the phase either
        length = phase.interval.end - phase.interval.start
        slots = client.get_slots(
            event_type_id, phase.interval.start - length, phase.interval.end + length
        )
        return covers(slots, phase.interval.start, phase.interval.end)

    with ThreadPoolExecutor(max_workers=min(len(checks), MAX_PARALLEL_CHECKS)) as pool:
        answers = list(pool.map(is_free, checks))
    refused = {check[0].pk for check, free in zip(checks, answers, strict=True) if not free}
    return [stylist for stylist in candidates if stylist.pk not in refused]


def _own_bookings(moving: Appointment | None) -> dict[UUID, list[Interval]]:
    """Where the moved appointment's staff-required phases are booked now, per stylist."""
    if moving is None:
        return {}
    own: dict[UUID, list[Interval]] = {}
    for phase in moving.phases.filter(staff_required=True):
        own.setdefault(phase.staff_id, []).append(phase.interval)
    return own


def covers(slots: list[Slot], start: datetime, end: datetime) -> bool:
    """Whether the union of the free slots contains [start, end)."""
    reached = start
    for slot in sorted(slots, key=lambda s: s.start):
        if slot.start > reached:
            break
        reached = max(reached, slot.end)
        if reached >= end:
            return True
    return False
