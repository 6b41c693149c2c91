"""What the Termin-Detailseite shows of an appointment's phases, as plain rows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from phasebook.booking.models import AppointmentPhase, SyncStatus

SYNC_MARKS: dict[str, str] = {
    SyncStatus.SYNCED: "✓",
    SyncStatus.FAILED: "✗",
    SyncStatus.PENDING: "…",
}


def zone_name() -> str:
    return timezone.get_current_timezone_name()  # the salon's (portal middleware)


@dataclass(frozen=True)
class PhaseRow:
    phase: AppointmentPhase
    start: str
    end: str
    metadata: str  # the stored Cal.com metadata, indented JSON

    @property
    def syncs(self) -> bool:
        return self.phase.staff_required


def phase_rows(phases: Sequence[AppointmentPhase]) -> list[PhaseRow]:
    return [
        PhaseRow(
            phase=phase,
            start=timezone.localtime(phase.start_time).strftime("%H:%M"),
            end=timezone.localtime(phase.end_time).strftime("%H:%M"),
            metadata=json.dumps(phase.calcom_metadata, indent=2, ensure_ascii=False, default=str)
            if phase.calcom_metadata
            else "",
        )
        for phase in phases
    ]


@dataclass(frozen=True)
class TimelineRow:
    phase: AppointmentPhase
    clock: str  # local start, HH:MM
    offset: float  # percent of the appointment from its start to this phase
    width: float  # percent of the appointment this phase takes
    mark: str  # ✓ synced, ✗ failed, … pending (staff-required phases only)


def timeline_rows(phases: Sequence[AppointmentPhase]) -> tuple[list[TimelineRow], int]:
    """Bars in proportion to real minutes, placed where each phase starts; and the total."""
    if not phases:
        return [], 0
    first, last = phases[0].start_time, max(phase.end_time for phase in phases)
    total = (last - first).total_seconds() or 1.0

    def percent(seconds: float) -> float:
        return round(seconds * 100 / total, 2)

    rows = [
        TimelineRow(
            phase=phase,
            clock=timezone.localtime(phase.start_time).strftime("%H:%M"),
            offset=percent((phase.start_time - first).total_seconds()),
            width=percent((phase.end_time - phase.start_time).total_seconds()),
            mark=SYNC_MARKS.get(phase.calcom_sync_status, "") if phase.staff_required else "",
        )
        for phase in phases
    ]
    return rows, int(total // 60)
