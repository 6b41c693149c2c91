"""Why a start is not possible: the verdict's conflicts in structured form and in German."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from phasebook.scheduling.availability import Conflict, Policy, Rule, Verdict
from phasebook.scheduling.intervals import Interval


def _clock(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%H:%M")


def _span(interval: Interval, zone: ZoneInfo) -> str:
    return f"{_clock(interval.start, zone)}–{_clock(interval.end, zone)}"


def _day(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%d.%m.%Y")


def _grid_examples(step_minutes: int) -> tuple[str, str]:
    """The first two grid times from 09:00 on; the grid counts from midnight, so a
    25-minute grid gives 09:10 and 09:35, an hourly one 09:00 and 10:00."""
    first = -(-9 * 60 // step_minutes) * step_minutes
    return _minutes_clock(first), _minutes_clock(first + step_minutes)


def _minutes_clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def describe(
    conflict: Conflict, verdict: Verdict, policy: Policy, staff_names: Mapping[str, str]
) -> str:
    """One German sentence naming the rule, the phase and the conflicting interval."""
    zone = policy.zone
    start = verdict.phases[0].interval.start
    whole = Interval(start, verdict.phases[-1].interval.end)
    who = staff_names.get(conflict.staff_id or "", "")
    phase = conflict.phase
    phase_text = (
        f"Die Phase „{phase.segment.name}“ ({_span(phase.interval, zone)})" if phase else ""
    )
    blocking = conflict.blocking
    blocking_span = _span(blocking.interval, zone) if blocking else ""
    match conflict.rule:
        case Rule.TOO_SOON:
            minutes = int(policy.min_notice.total_seconds() // 60)
            return f"Termine müssen mindestens {minutes} Minuten im Voraus gebucht werden."
        case Rule.BEYOND_HORIZON:
            return f"Termine können höchstens {policy.horizon.days} Tage im Voraus gebucht werden."
        case Rule.OFF_GRID:
            step = int(policy.slot_step.total_seconds() // 60)
            first, second = _grid_examples(step)
            return f"Termine beginnen im {step}-Minuten-Raster (z. B. {first}, {second})."
        case Rule.SALON_CLOSED:
            return f"Der Salon ist am {_day(start, zone)} geschlossen."
        case Rule.OUTSIDE_OPENING_HOURS:
            hours = f" ({_span(conflict.window, zone)})" if conflict.window else ""
            return (
                f"Der Termin ({_span(whole, zone)}) liegt nicht vollständig in den "
                f"Öffnungszeiten{hours}."
            )
        case Rule.CUSTOMER_BUSY:
            return f"Die Kundin oder der Kunde hat um {blocking_span} bereits einen Termin."
        case Rule.STAFF_NOT_QUALIFIED:
            return f"{who} bietet diese Leistung nicht an."
        case Rule.OUTSIDE_WORKING_HOURS:
            hours = (
                f" ({_span(conflict.window, zone)})"
                if conflict.window
                else " (an diesem Tag nicht im Dienst)"
            )
            return f"{phase_text} liegt außerhalb der Arbeitszeit von {who}{hours}."
        case Rule.STAFF_BUSY:
            label = f"„{blocking.label}“ " if blocking and blocking.label else "einem Termin "
            return f"{phase_text} überschneidet sich mit {label}({blocking_span}) von {who}."
        case Rule.STAFF_ABSENT:
            return f"{phase_text} fällt in eine Abwesenheit von {who} ({blocking_span})."
        case Rule.EXTERNAL_BUSY:
            return (
                f"{phase_text} überschneidet sich mit einem Kalendereintrag von {who} "
                f"({blocking_span})."
            )


def _interval_dict(interval: Interval | None, zone: ZoneInfo) -> dict[str, str] | None:
    """Instants with the company's UTC offset, as callers read them."""
    if interval is None:
        return None
    return {
        "start": interval.start.astimezone(zone).isoformat(),
        "end": interval.end.astimezone(zone).isoformat(),
    }


def conflict_dict(
    conflict: Conflict, verdict: Verdict, policy: Policy, staff_names: Mapping[str, str]
) -> dict[str, Any]:
    phase = conflict.phase
    return {
        "rule": conflict.rule.value,
        "message": describe(conflict, verdict, policy, staff_names),
        "staff_id": conflict.staff_id,
        "phase": None
        if phase is None
        else {
            "segment_key": phase.key,
            "segment_name": phase.segment.name,
            **(_interval_dict(phase.interval, policy.zone) or {}),
        },
        "conflicting_interval": _interval_dict(
            conflict.blocking.interval if conflict.blocking else None, policy.zone
        ),
        "conflicting_label": conflict.blocking.label if conflict.blocking else None,
    }


def explain(verdict: Verdict, policy: Policy, staff_names: Mapping[str, str]) -> dict[str, Any]:
    """The verdict as a structured, German explanation."""

    def render(conflicts: tuple[Conflict, ...]) -> list[dict[str, Any]]:
        return [conflict_dict(conflict, verdict, policy, staff_names) for conflict in conflicts]

    return {
        "possible": verdict.possible,
        "start": verdict.phases[0].interval.start.astimezone(policy.zone).isoformat(),
        "end": verdict.phases[-1].interval.end.astimezone(policy.zone).isoformat(),
        "bookable_staff_ids": verdict.bookable_staff,
        "reasons": render(verdict.salon_conflicts),
        "staff": [
            {
                "staff_id": staff_id,
                "name": staff_names.get(staff_id, ""),
                "possible": not verdict.salon_conflicts and not conflicts,
                "reasons": render(conflicts),
            }
            for staff_id, conflicts in verdict.staff_conflicts.items()
        ],
        "phases": [
            {
                "segment_key": phase.key,
                "segment_name": phase.segment.name,
                "staff_required": phase.staff_required,
                **(_interval_dict(phase.interval, policy.zone) or {}),
            }
            for phase in verdict.phases
        ],
    }
