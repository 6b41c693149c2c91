"""An appointment's history: one event row per change, written in the transaction that makes
the change, with who made it (`Actor`), and worded as a German `Sentence` (`describe`).

The booking service writes held, booked, confirmed, moved (in time, stylist or both: one
event per move), cancelled and expired; a move or release that repairs a stylist's absence
names the absence as its reason. The Cal.com sync writes its outcomes (synced, failed, gave
up, verified). The API, the admin and the portal read them back through
`rendering.render_event`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_noop

from phasebook.booking.models import (
    ActorKind,
    Appointment,
    AppointmentEvent,
    AppointmentPhase,
    AppointmentStatus,
    EventKind,
)
from phasebook.salons.models import Absence, ApiToken, Staff
from phasebook.scheduling.explain import Sentence


@dataclass(frozen=True)
class Actor:
    """Who made a change: an admin user, an API token, a phone call or a system task.

    `label` is what the history shows even after the user or token is gone: the user name,
    the token's name, the call id or the task's name.
    """

    kind: ActorKind
    label: str
    user_id: int | None = None
    token_id: int | None = None
    call_id: str = ""  # Retell's call id, to find the phone app's call record ("" if unknown)

    @classmethod
    def admin(cls, user: AbstractBaseUser | AnonymousUser) -> Actor:
        return cls(ActorKind.ADMIN, user.get_username(), user_id=user.pk)

    @classmethod
    def api(cls, token: ApiToken) -> Actor:
        return cls(ActorKind.API, token.name, token_id=token.pk)

    @classmethod
    def phone(cls, call_id: str) -> Actor:
        return cls(ActorKind.PHONE, call_id, call_id=call_id)

    @classmethod
    def system(cls, task: str) -> Actor:
        return cls(ActorKind.SYSTEM, task)

    @property
    def client_key(self) -> str:
        """What the booking limits count this actor's writes under (limits.py): its token or
        its call. People in the admin and system tasks are the salon's own, not limited."""
        if self.kind == ActorKind.API:
            return f"token:{self.token_id}"
        if self.kind == ActorKind.PHONE and self.call_id:
            return f"call:{self.call_id}"
        return ""

    def columns(self) -> dict[str, Any]:
        return {
            "actor_kind": self.kind,
            "actor_label": self.label[:200],
            "actor_user_id": self.user_id,
            "actor_token_id": self.token_id,
            "actor_call_id": self.call_id,
        }


# The system tasks that change appointments by themselves.
HOLD_EXPIRY = Actor.system("hold_expiry")
CALSYNC = Actor.system("calsync")


def _write(
    appointment_id: UUID, kind: EventKind, actor: Actor, at: datetime, **fields: Any
) -> AppointmentEvent:
    return AppointmentEvent.objects.create(
        appointment_id=appointment_id, kind=kind, at=at, **actor.columns(), **fields
    )


def placed(appointment: Appointment, actor: Actor, at: datetime) -> AppointmentEvent:
    """A new hold or booking: when and with whom."""
    kind = EventKind.HELD if appointment.status == AppointmentStatus.HELD else EventKind.BOOKED
    return _write(
        appointment.pk, kind, actor, at, to_start=appointment.start, to_staff=appointment.staff
    )


def confirmed(appointment: Appointment, actor: Actor, at: datetime) -> None:
    _write(appointment.pk, EventKind.CONFIRMED, actor, at)


def moved(
    appointment: Appointment,
    actor: Actor,
    at: datetime,
    from_start: datetime,
    from_staff: Staff,
    absence: Absence | None = None,
) -> None:
    """A reschedule, as one event: MOVED when the time changed (with the stylist, if that
    changed too), STAFF_CHANGED when only the stylist did. `absence`: the stylist's absence
    that the move repairs, its reason."""
    new_time = appointment.start != from_start
    new_staff = appointment.staff_id != from_staff.pk
    if not (new_time or new_staff):
        return
    _write(
        appointment.pk,
        EventKind.MOVED if new_time else EventKind.STAFF_CHANGED,
        actor,
        at,
        from_start=from_start if new_time else None,
        to_start=appointment.start if new_time else None,
        from_staff=from_staff if new_staff else None,
        to_staff=appointment.staff if new_staff else None,
        absence=absence,
    )


def cancelled(
    appointment: Appointment, actor: Actor, at: datetime, absence: Absence | None = None
) -> None:
    _write(
        appointment.pk,
        EventKind.CANCELLED,
        actor,
        at,
        note=appointment.cancel_reason,
        absence=absence,
    )


def expired(appointment_ids: Collection[UUID], at: datetime) -> None:
    """Holds that ran out. Whoever retires one first writes its event; a hold expires once
    (a unique constraint), so a second retirer's row is dropped."""
    AppointmentEvent.objects.bulk_create(
        [
            AppointmentEvent(
                appointment_id=pk, kind=EventKind.EXPIRED, at=at, **HOLD_EXPIRY.columns()
            )
            for pk in appointment_ids
        ],
        ignore_conflicts=True,
    )


def sync_failed(phase: AppointmentPhase, at: datetime, *, gave_up: bool) -> None:
    """A phase's Cal.com attempt failed; it is retried, or (`gave_up`) no longer."""
    kind = EventKind.SYNC_GAVE_UP if gave_up else EventKind.SYNC_FAILED
    _write(phase.appointment_id, kind, CALSYNC, at, phase=phase, note=phase.sync_error_message)


def synced(appointment_id: UUID, at: datetime, *, verified: bool) -> None:
    """Cal.com shows the appointment as it is here: after a change, or (`verified`) after a
    verification or reconciliation compared it."""
    kind = EventKind.VERIFIED if verified else EventKind.SYNC_SUCCEEDED
    _write(appointment_id, kind, CALSYNC, at)


WHEN = gettext_noop("%(day)s.%(month)s.%(year)s, %(time)s")
DESCRIPTIONS = {
    EventKind.HELD: gettext_noop("Reserviert für %(when)s bei %(staff)s."),
    EventKind.BOOKED: gettext_noop("Gebucht für %(when)s bei %(staff)s."),
    EventKind.CONFIRMED: gettext_noop("Reservierung bestätigt."),
    EventKind.MOVED: gettext_noop("Verschoben von %(from)s auf %(to)s."),
    EventKind.STAFF_CHANGED: gettext_noop(
        "Mitarbeiter:in gewechselt von %(from_staff)s zu %(to_staff)s."
    ),
    EventKind.CANCELLED: gettext_noop("Storniert."),
    EventKind.EXPIRED: gettext_noop("Reservierung abgelaufen."),
    EventKind.SYNC_SUCCEEDED: gettext_noop("In Cal.com übernommen."),
    EventKind.SYNC_FAILED: gettext_noop(
        "Cal.com-Sync der Phase „%(phase)s“ fehlgeschlagen, ein neuer Versuch folgt: %(note)s"
    ),
    EventKind.SYNC_GAVE_UP: gettext_noop("Cal.com-Sync der Phase „%(phase)s“ aufgegeben: %(note)s"),
    EventKind.VERIFIED: gettext_noop("Mit Cal.com abgeglichen."),
}
CANCELLED_BECAUSE = gettext_noop("Storniert: %(note)s")
MOVED_AND_RESTAFFED = gettext_noop(
    "Verschoben von %(from)s auf %(to)s und von %(from_staff)s zu %(to_staff)s."
)
BECAUSE_ABSENT = gettext_noop("%(change)s Grund: Ausfall von %(staff)s vom %(from)s bis %(to)s.")
BECAUSE_ABSENT_SAYING = gettext_noop(
    "%(change)s Grund: Ausfall von %(staff)s vom %(from)s bis %(to)s (%(reason)s)."
)


def describe(event: AppointmentEvent, zone: ZoneInfo) -> Sentence:
    """The change in German, times in the salon's zone, with the absence it repaired, if
    any (select_related the staff, the phase and the absence with its staff)."""
    change = _change(event, zone)
    absence = event.absence
    if absence is None:
        return change
    return Sentence(
        BECAUSE_ABSENT_SAYING if absence.reason else BECAUSE_ABSENT,
        {
            "change": change,
            "staff": absence.staff.name,
            "from": _when(absence.start, zone),
            "to": _when(absence.end, zone),
            "reason": absence.reason,
        },
    )


def _change(event: AppointmentEvent, zone: ZoneInfo) -> Sentence:
    template = DESCRIPTIONS[EventKind(event.kind)]
    if event.kind == EventKind.CANCELLED and event.note:
        template = CANCELLED_BECAUSE
    if event.kind == EventKind.MOVED and event.to_staff_id is not None:
        template = MOVED_AND_RESTAFFED
    return Sentence(
        template,
        {
            "when": _when(event.to_start, zone),
            "from": _when(event.from_start, zone),
            "to": _when(event.to_start, zone),
            "staff": event.to_staff.name if event.to_staff else "",
            "from_staff": event.from_staff.name if event.from_staff else "",
            "to_staff": event.to_staff.name if event.to_staff else "",
            "phase": event.phase.segment_name if event.phase else "",
            "note": event.note,
        },
    )


def _when(instant: datetime | None, zone: ZoneInfo) -> Sentence | str:
    if instant is None:
        return ""
    local = instant.astimezone(zone)
    return Sentence(
        WHEN,
        {
            "day": f"{local:%d}",
            "month": f"{local:%m}",
            "year": f"{local:%Y}",
            "time": f"{local:%H:%M}",
        },
    )
