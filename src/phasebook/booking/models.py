"""Appointments, their phases and their history (one event per change).

An appointment is live while it is booked or held; a live appointment's staff-required
phases block their stylist (`blocks_staff`). Both flags are stored, not derived at query
time, because PostgreSQL's exclusion constraints can only look at the row itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import models
from django.db.models import Func, Q
from django.utils.translation import gettext_lazy as _

from phasebook.common.constraints import PostgresExclusionConstraint
from phasebook.salons.models import (
    Absence,
    ApiToken,
    Company,
    Customer,
    Service,
    Staff,
    validate_e164,
)
from phasebook.scheduling.explain import moment_text
from phasebook.scheduling.intervals import Interval


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = models.DateTimeField()  # only used inside constraint expressions


def _half_open(start: str, end: str) -> TsTzRange:
    return TsTzRange(start, end, RangeBoundary(inclusive_lower=True, inclusive_upper=False))


class AppointmentStatus(models.TextChoices):
    HELD = "held", _("Reserviert")
    BOOKED = "booked", _("Gebucht")
    CANCELLED = "cancelled", _("Storniert")
    EXPIRED = "expired", _("Reservierung abgelaufen")


LIVE_STATUSES = (AppointmentStatus.HELD, AppointmentStatus.BOOKED)


class AppointmentSource(models.TextChoices):
    API = "api", _("API")
    PHONE = "phone", _("Telefon-Assistent")
    ADMIN = "admin", _("Admin")
    DEMO = "demo", _("Demo")


class SyncStatus(models.TextChoices):
    """Cal.com mirror state; an appointment's is aggregated from its phases."""

    NOT_REQUIRED = "not_required", _("Nicht nötig")
    PENDING = "pending", _("Ausstehend")
    SYNCED = "synced", _("Synchronisiert")
    PARTIAL = "partial", _("Teilweise")
    FAILED = "failed", _("Fehlgeschlagen")


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str  # E.164 or ""
    email: str


class Appointment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(
        Company, verbose_name=_("Salon"), on_delete=models.CASCADE, related_name="appointments"
    )
    # A hold has no customer: its caller becomes one only by booking (confirm_hold), so
    # holds that are never confirmed leave no customer behind. The caller's details as
    # given stay on the appointment (`contact`).
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("Kund:in"),
        on_delete=models.PROTECT,
        related_name="appointments",
        null=True,
        blank=True,
    )
    caller_name = models.CharField(_("Name laut Anfrage"), max_length=200, blank=True)
    caller_phone = models.CharField(
        _("Telefon laut Anfrage"), max_length=20, blank=True, validators=[validate_e164]
    )
    caller_email = models.EmailField(_("E-Mail laut Anfrage"), blank=True)
    service = models.ForeignKey(
        Service, verbose_name=_("Leistung"), on_delete=models.PROTECT, related_name="appointments"
    )
    staff = models.ForeignKey(
        Staff,
        verbose_name=_("Mitarbeiter:in"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    start = models.DateTimeField(_("Beginn"))
    end = models.DateTimeField(_("Ende"))
    status = models.CharField(_("Status"), max_length=10, choices=AppointmentStatus.choices)
    is_live = models.BooleanField(
        _("Belegt Zeit"), default=True, help_text=_("Gebucht oder gültig reserviert.")
    )
    hold_expires_at = models.DateTimeField(_("Reserviert bis"), null=True, blank=True)
    source = models.CharField(
        _("Quelle"), max_length=10, choices=AppointmentSource.choices, default=AppointmentSource.API
    )
    placed_by = models.CharField(
        _("Angelegt von"),
        max_length=64,
        blank=True,
        help_text=_(
            "Der Client, der es angelegt hat, z. B. token:12 (für die Reservierungs-Obergrenze)."
        ),
    )
    cancel_reason = models.CharField(_("Stornogrund"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("Storniert am"), null=True, blank=True)
    calcom_sync_status = models.CharField(
        _("Cal.com-Status"),
        max_length=12,
        choices=SyncStatus.choices,
        default=SyncStatus.NOT_REQUIRED,
    )
    calcom_v2_booking_id = models.BigIntegerField(
        _("Cal.com-Buchungs-ID"),
        null=True,
        blank=True,
        help_text=_("Buchung der ersten Phase (Kompatibilität)."),
    )
    requires_manual_review = models.BooleanField(_("Manuelle Prüfung nötig"), default=False)
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    # The history as the write that created this appointment saved it (its one event), kept
    # by booking/placement.py for the answer to that write only: later changes do not update
    # it. None on an appointment read from the database.
    saved_history: list[AppointmentEvent] | None = None

    class Meta:
        verbose_name = _("Termin")
        verbose_name_plural = _("Termine")
        ordering = ["start"]
        indexes = [
            models.Index(fields=["staff", "start"], name="appointment_staff_start"),
            models.Index(fields=["company", "start"], name="appointment_company_start"),
            models.Index(fields=["status", "hold_expires_at"], name="appointment_hold_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="appointment_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(status=AppointmentStatus.HELD) | Q(hold_expires_at__isnull=False),
                name="appointment_hold_has_expiry",
            ),
            models.CheckConstraint(
                condition=Q(is_live=Q(status__in=LIVE_STATUSES)),
                name="appointment_is_live_matches_status",
            ),
            # Referenced by its phases and sync tasks (common/constraints.py).
            models.UniqueConstraint(fields=["company", "id"], name="appointment_company_key"),
            models.CheckConstraint(
                condition=~Q(status=AppointmentStatus.BOOKED) | Q(customer__isnull=False),
                name="appointment_booked_has_customer",
            ),
            PostgresExclusionConstraint(
                name="appointment_customer_no_overlap",
                expressions=[
                    ("customer", RangeOperators.EQUAL),
                    (_half_open("start", "end"), RangeOperators.OVERLAPS),
                ],
                condition=Q(is_live=True),
            ),
            # The same for a caller's holds, which have no customer yet: one phone number
            # is one person (customers are found by it).
            PostgresExclusionConstraint(
                name="appointment_caller_no_overlap",
                expressions=[
                    ("company", RangeOperators.EQUAL),
                    ("caller_phone", RangeOperators.EQUAL),
                    (_half_open("start", "end"), RangeOperators.OVERLAPS),
                ],
                condition=Q(is_live=True) & ~Q(caller_phone=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} · {moment_text(self.start, self.company.zone)}"

    @property
    def contact(self) -> Contact:
        """Whom the appointment is for: the customer as the salon keeps them, or for a hold
        (no customer yet) the caller's details as given."""
        customer = self.customer
        if customer is not None:
            return Contact(customer.name, customer.phone, customer.email)
        return Contact(self.caller_name, self.caller_phone, self.caller_email)

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)

    @property
    def is_composite(self) -> bool:
        return self.service.is_composite


class AppointmentPhase(models.Model):
    """One timed segment of an appointment; the columns of the seed's appointment_phases.

    `company` is the appointment's, stored so that PostgreSQL can check that the phase's
    stylist is of that company too (booking migration 0008)."""

    company = models.ForeignKey(
        Company, verbose_name=_("Salon"), on_delete=models.CASCADE, related_name="+"
    )
    appointment = models.ForeignKey(
        Appointment, verbose_name=_("Termin"), on_delete=models.CASCADE, related_name="phases"
    )
    staff = models.ForeignKey(
        Staff, verbose_name=_("Mitarbeiter:in"), on_delete=models.PROTECT, related_name="phases"
    )
    segment_key = models.CharField(_("Segment"), max_length=10)
    segment_name = models.CharField(_("Bezeichnung"), max_length=255)
    start_time = models.DateTimeField(_("Beginn"))
    end_time = models.DateTimeField(_("Ende"))
    duration_minutes = models.PositiveIntegerField(_("Dauer (min)"))
    staff_required = models.BooleanField(_("Friseur erforderlich"))
    sequence_order = models.PositiveSmallIntegerField(_("Reihenfolge"))
    blocks_staff = models.BooleanField(
        _("Blockiert Mitarbeiter:in"),
        help_text=_("Phase mit Friseur eines gültigen Termins: die Zeit ist belegt."),
    )
    calcom_booking_id = models.BigIntegerField(_("Booking-ID"), null=True, blank=True)
    calcom_booking_uid = models.CharField(_("Booking-UID"), max_length=255, blank=True)
    calcom_sync_status = models.CharField(
        _("Cal.com-Status"),
        max_length=12,
        choices=SyncStatus.choices,
        default=SyncStatus.NOT_REQUIRED,
    )
    sync_error_message = models.TextField(_("Fehler"), blank=True)
    calcom_event_type_id = models.BigIntegerField(_("Event-Type-ID"), null=True, blank=True)
    calcom_metadata = models.JSONField(_("Cal.com-Metadaten"), default=dict, blank=True)
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Phase")
        verbose_name_plural = _("Phasen")
        ordering = ["appointment", "sequence_order"]
        indexes = [
            models.Index(
                fields=["staff", "start_time"],
                name="phase_staff_start",
                condition=Q(blocks_staff=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "sequence_order"], name="phase_order_unique"
            ),
            models.UniqueConstraint(
                fields=["appointment", "segment_key"], name="phase_segment_unique"
            ),
            models.UniqueConstraint(fields=["company", "id"], name="phase_company_key"),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="phase_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(staff_required=True) | Q(blocks_staff=False),
                name="phase_gap_never_blocks_staff",
            ),
            PostgresExclusionConstraint(
                name="phase_staff_no_overlap",
                expressions=[
                    ("staff", RangeOperators.EQUAL),
                    (_half_open("start_time", "end_time"), RangeOperators.OVERLAPS),
                ],
                condition=Q(blocks_staff=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.segment_key} {self.segment_name}"

    @property
    def interval(self) -> Interval:
        return Interval(self.start_time, self.end_time)


class EventKind(models.TextChoices):
    HELD = "held", _("Reserviert")
    BOOKED = "booked", _("Gebucht")
    CONFIRMED = "confirmed", _("Reservierung bestätigt")
    MOVED = "moved", _("Verschoben")
    STAFF_CHANGED = "staff_changed", _("Mitarbeiter:in gewechselt")
    CANCELLED = "cancelled", _("Storniert")
    EXPIRED = "expired", _("Reservierung abgelaufen")
    SYNC_SUCCEEDED = "sync_succeeded", _("Cal.com-Sync erfolgreich")
    SYNC_FAILED = "sync_failed", _("Cal.com-Sync fehlgeschlagen")
    SYNC_GAVE_UP = "sync_gave_up", _("Cal.com-Sync aufgegeben")
    VERIFIED = "verified", _("Mit Cal.com abgeglichen")


class ActorKind(models.TextChoices):
    ADMIN = "admin", _("Admin")
    API = "api", _("API-Token")
    PHONE = "phone", _("Telefon-Assistent")
    SYSTEM = "system", _("System")


class AppointmentEvent(models.Model):
    """One change of an appointment, written in the transaction that made it: what changed,
    when, and who did it (see `events.Actor`)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    at = models.DateTimeField()
    actor_kind = models.CharField(max_length=8, choices=ActorKind.choices)
    actor_label = models.CharField(
        max_length=200,
        help_text=_("Benutzername, Token-Name, Anruf-ID oder Aufgabe, wie zur Zeit der Änderung."),
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_token = models.ForeignKey(
        ApiToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_call_id = models.CharField(max_length=64, blank=True, help_text=_("Retell-Anruf-ID."))
    from_start = models.DateTimeField(null=True, blank=True)
    to_start = models.DateTimeField(null=True, blank=True)
    from_staff = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_staff = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phase = models.ForeignKey(
        AppointmentPhase, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    note = models.CharField(max_length=1000, blank=True, help_text=_("Grund oder Fehlermeldung."))
    absence = models.ForeignKey(
        Absence,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        help_text=_("Die Abwesenheit, wegen der der Termin verlegt wurde."),
    )

    class Meta:
        verbose_name = _("Terminereignis")
        verbose_name_plural = _("Terminverlauf")
        # In the order the changes happened: each change writes its event while it holds the
        # appointment's row lock, so ids follow that order even when clocks differ.
        ordering = ["id"]
        constraints = [
            # A hold expires once, whichever booking found it in its way first.
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(kind=EventKind.EXPIRED),
                name="event_hold_expires_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {moment_text(self.at, self.appointment.company.zone)}"
