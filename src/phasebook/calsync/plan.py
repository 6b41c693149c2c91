"""What a phase should look like in Cal.com, as plain values a worker can use without the DB.

A leased outbox row becomes a `PhaseJob`: the desired booking (or none: cancelled appointment),
the uids we know of that may still be live, and the windows where an earlier create may have
happened without us learning its uid.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from phasebook.booking.models import Appointment, AppointmentPhase, AppointmentStatus
from phasebook.calcom.models import CalcomConnection, CalcomEventMap
from phasebook.calcom.schemas import Attendee, CreateBookingRequest, MetadataValue
from phasebook.calsync.errors import SyncProblem
from phasebook.calsync.models import AttendeePolicy, CalcomSyncSettings, PhaseSyncTask

# Keys of the metadata every phase booking carries (Cal.com: ≤ 50 keys, key ≤ 40 chars,
# string values ≤ 500 chars, no nesting). `META_PHASE` marks a booking as ours.
META_PHASE = "phasebook_phase_id"
META_APPOINTMENT = "phasebook_appointment_id"
META_SEGMENT = "phasebook_segment_key"
META_COMPANY = "phasebook_company"
PLACEHOLDER_DOMAIN = "phasebook.invalid"


@dataclass(frozen=True)
class Window:
    """Where a create whose outcome we never learned would have put its booking."""

    start: datetime
    end: datetime
    event_type_id: int

    def as_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "event_type_id": self.event_type_id,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Window:
        return cls(
            datetime.fromisoformat(raw["start"]),
            datetime.fromisoformat(raw["end"]),
            int(raw["event_type_id"]),
        )


@dataclass(frozen=True)
class DesiredBooking:
    start: datetime
    end: datetime
    event_type_id: int
    host_user_id: int | None
    request: CreateBookingRequest

    @property
    def window(self) -> Window:
        return Window(self.start, self.end, self.event_type_id)


@dataclass(frozen=True)
class PhaseJob:
    task_id: int
    lease_token: uuid.UUID
    generation: int
    attempt: int
    action: str
    phase_id: int
    appointment_id: uuid.UUID
    company_slug: str
    service_type: str  # "composite" or "simple", for the metrics
    desired: DesiredBooking | None
    known_uids: tuple[str, ...]
    lookups: tuple[Window, ...]
    api_version: str
    problem: SyncProblem | None = None


def is_ours(metadata: dict[str, Any]) -> bool:
    return META_PHASE in metadata


def phase_id_of(metadata: dict[str, Any]) -> int | None:
    raw = metadata.get(META_PHASE)
    try:
        return int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


def booking_metadata(phase: AppointmentPhase, company_slug: str) -> dict[str, MetadataValue]:
    return {
        META_PHASE: str(phase.pk),
        META_APPOINTMENT: str(phase.appointment_id),
        META_SEGMENT: phase.segment_key,
        META_COMPANY: company_slug[:500],
    }


def known_uids(phase: AppointmentPhase) -> tuple[str, ...]:
    """The current booking plus superseded ones not yet confirmed cancelled."""
    history = (phase.calcom_metadata or {}).get("history", [])
    uids = [phase.calcom_booking_uid] if phase.calcom_booking_uid else []
    uids += [entry["uid"] for entry in history if not entry.get("cancelled")]
    return tuple(dict.fromkeys(uids))


def sync_settings(company_id: int) -> CalcomSyncSettings:
    found = CalcomSyncSettings.objects.filter(company_id=company_id).first()
    return found or CalcomSyncSettings(company_id=company_id)


@dataclass(frozen=True)
class LeaseContext:
    """What every job of one appointment shares; read once per lease."""

    settings: CalcomSyncSettings
    api_version: str
    first_staff_order: int | None

    @classmethod
    def load(cls, appointment: Appointment) -> LeaseContext:
        first = (
            AppointmentPhase.objects.filter(appointment_id=appointment.pk, staff_required=True)
            .order_by("sequence_order")
            .values_list("sequence_order", flat=True)
            .first()
        )
        versions = CalcomConnection.objects.filter(company_id=appointment.company_id)
        return cls(
            settings=sync_settings(appointment.company_id),
            api_version=versions.values_list("bookings_api_version", flat=True).first() or "",
            first_staff_order=first,
        )


def attendee_for(
    phase: AppointmentPhase, appointment: Appointment, context: LeaseContext
) -> Attendee:
    """The customer or the salon placeholder, following the company's attendee policy.

    Cal.com needs an e-mail or a phone number; a customer with neither is booked under the
    placeholder address with their name, so the booking still shows who is coming.
    """
    company, settings = appointment.company, context.settings
    first_staff_phase = phase.sequence_order == context.first_staff_order
    customer_attends = settings.attendee_policy == AttendeePolicy.EVERY_PHASE or (
        settings.attendee_policy == AttendeePolicy.FIRST_PHASE and first_staff_phase
    )
    placeholder = settings.placeholder_email or f"termine+{company.slug}@{PLACEHOLDER_DOMAIN}"
    if not customer_attends:
        return Attendee(
            name=f"{company.name} (Folgephase)",
            email=placeholder,
            time_zone=company.time_zone,
            language="de",
        )
    contact = appointment.contact
    if contact.email or contact.phone:
        return Attendee(
            name=contact.name,
            email=contact.email or None,
            phone_number=contact.phone or None,
            time_zone=company.time_zone,
            language="de",
        )
    return Attendee(
        name=contact.name, email=placeholder, time_zone=company.time_zone, language="de"
    )


def desired_booking(
    phase: AppointmentPhase, appointment: Appointment, context: LeaseContext
) -> DesiredBooking | None:
    """None when the phase must have no live Cal.com booking; raises SyncProblem when it
    should have one but cannot (no event type mapped)."""
    if appointment.status != AppointmentStatus.BOOKED or not phase.staff_required:
        return None
    mapping = CalcomEventMap.objects.filter(
        service_id=appointment.service_id, segment_key=phase.segment_key, staff_id=phase.staff_id
    ).first()
    company = appointment.company
    if mapping is None:
        raise SyncProblem(
            f"Keine Cal.com-Zuordnung für „{appointment.service}“, Segment {phase.segment_key}, "
            f"bei {phase.staff} (no event type mapped): phasebook calcom_provision "
            f"--company {company.slug}",
            "unmapped",
        )
    request = CreateBookingRequest(
        start=phase.start_time,
        event_type_id=mapping.event_type_id,
        attendee=attendee_for(phase, appointment, context),
        metadata=booking_metadata(phase, company.slug),
    )
    return DesiredBooking(
        phase.start_time,
        phase.end_time,
        mapping.event_type_id,
        phase.staff.calcom_user_id,
        request,
    )


def build_job(task: PhaseSyncTask, lease_token: uuid.UUID, context: LeaseContext) -> PhaseJob:
    """Snapshot of everything the worker needs; runs in the lease transaction."""
    phase, appointment = task.phase, task.appointment
    problem: SyncProblem | None = None
    try:
        desired = desired_booking(phase, appointment, context)
    except SyncProblem as error:
        desired, problem = None, error
    return PhaseJob(
        task_id=task.pk,
        lease_token=lease_token,
        generation=task.generation,
        attempt=task.attempts,
        action=task.action,
        phase_id=phase.pk,
        appointment_id=appointment.pk,
        company_slug=appointment.company.slug,
        service_type="composite" if appointment.service.is_composite else "simple",
        desired=desired,
        known_uids=known_uids(phase),
        lookups=tuple(Window.from_json(raw) for raw in task.open_creates),
        api_version=context.api_version,
        problem=problem,
    )
