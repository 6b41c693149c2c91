"""Appointments and their phases.

An appointment is live while it is booked or held; a live appointment's staff-required
phases block their stylist (`blocks_staff`). Both flags are stored, not derived at query
time, because PostgreSQL's exclusion constraints can only look at the row itself.
"""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import models
from django.db.models import Func, Q

from phasebook.common.constraints import PostgresExclusionConstraint
from phasebook.salons.models import Company, Customer, Service, Staff
from phasebook.scheduling.intervals import Interval


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = models.DateTimeField()  # only used inside constraint expressions


def _half_open(start: str, end: str) -> TsTzRange:
    return TsTzRange(start, end, RangeBoundary(inclusive_lower=True, inclusive_upper=False))


class AppointmentStatus(models.TextChoices):
    HELD = "held", "Reserviert"
    BOOKED = "booked", "Gebucht"
    CANCELLED = "cancelled", "Storniert"
    EXPIRED = "expired", "Reservierung abgelaufen"


LIVE_STATUSES = (AppointmentStatus.HELD, AppointmentStatus.BOOKED)


class AppointmentSource(models.TextChoices):
    API = "api", "API"
    PHONE = "phone", "Telefon-Assistent"
    ADMIN = "admin", "Admin"
    DEMO = "demo", "Demo"


class SyncStatus(models.TextChoices):
    """Cal.com mirror state; an appointment's is aggregated from its phases."""

    NOT_REQUIRED = "not_required", "Nicht nötig"
    PENDING = "pending", "Ausstehend"
    SYNCED = "synced", "Synchronisiert"
    PARTIAL = "partial", "Teilweise"
    FAILED = "failed", "Fehlgeschlagen"


class Appointment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="appointments")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=AppointmentStatus.choices)
    is_live = models.BooleanField(default=True, help_text="Gebucht oder gültig reserviert.")
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(
        max_length=10, choices=AppointmentSource.choices, default=AppointmentSource.API
    )
    cancel_reason = models.CharField(max_length=500, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    calcom_sync_status = models.CharField(
        max_length=12, choices=SyncStatus.choices, default=SyncStatus.NOT_REQUIRED
    )
    calcom_v2_booking_id = models.BigIntegerField(
        null=True, blank=True, help_text="Buchung der ersten Phase (Kompatibilität)."
    )
    requires_manual_review = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Termin"
        verbose_name_plural = "Termine"
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
            PostgresExclusionConstraint(
                name="appointment_customer_no_overlap",
                expressions=[
                    ("customer", RangeOperators.EQUAL),
                    (_half_open("start", "end"), RangeOperators.OVERLAPS),
                ],
                condition=Q(is_live=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.start:%Y-%m-%d %H:%M}"

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)

    @property
    def is_composite(self) -> bool:
        return self.service.is_composite


class AppointmentPhase(models.Model):
    """One timed segment of an appointment; the columns of the seed's appointment_phases."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="phases")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="phases")
    segment_key = models.CharField(max_length=10)
    segment_name = models.CharField(max_length=255)
    start_time = models.DateTimeField()
    end_time = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField()
    staff_required = models.BooleanField()
    sequence_order = models.PositiveSmallIntegerField()
    blocks_staff = models.BooleanField(
        help_text="Staff-required phase of a live appointment: the stylist is busy."
    )
    calcom_booking_id = models.BigIntegerField(null=True, blank=True)
    calcom_booking_uid = models.CharField(max_length=255, blank=True)
    calcom_sync_status = models.CharField(
        max_length=12, choices=SyncStatus.choices, default=SyncStatus.NOT_REQUIRED
    )
    sync_error_message = models.TextField(blank=True)
    calcom_event_type_id = models.BigIntegerField(null=True, blank=True)
    calcom_metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Phase"
        verbose_name_plural = "Phasen"
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
