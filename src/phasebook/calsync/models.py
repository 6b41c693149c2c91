"""The sync outbox, per-company sync settings, webhook deduplication and recorded drift.

`PhaseSyncTask` is the durable record of what Cal.com still has to learn about one
staff-required phase. It is written in the booking transaction (see `outbox.py`), so a
booking and its sync work commit or roll back together; everything after that (Celery
message, in-process thread, sweeper) only decides *when* the row is worked on.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phasebook.booking.models import Appointment, AppointmentPhase
from phasebook.salons.models import Company
from phasebook.scheduling.explain import moment_text


class SyncAction(models.TextChoices):
    """The change that caused the latest request; the work itself always converges the
    phase to its current desired state, so a later request supersedes an earlier one."""

    CREATE = "create", "Anlegen"
    RESCHEDULE = "reschedule", "Verschieben"
    CANCEL = "cancel", "Stornieren"
    RECONCILE = "reconcile", "Abgleich"


class TaskStatus(models.TextChoices):
    PENDING = "pending", "Ausstehend"
    RUNNING = "running", "In Arbeit"
    DONE = "done", "Erledigt"
    FAILED = "failed", "Fehlgeschlagen"


class PhaseSyncTask(models.Model):
    """Outbox row: one per staff-required phase, reused for every later change.

    `generation` grows with every request; a worker remembers the generation it leased and,
    if a newer request arrived meanwhile, leaves the row pending instead of done. A lease
    (`lease_token`, `leased_until`) gives one worker at a time the right to call Cal.com for
    the phase; a killed worker's lease simply expires and the sweeper hands the row on.
    `open_creates` lists the (start, end, event type) of creates whose outcome we never
    learned: the next attempt searches Cal.com there before it creates anything.
    """

    phase = models.OneToOneField(
        AppointmentPhase, on_delete=models.CASCADE, related_name="sync_task"
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="sync_tasks"
    )
    company = models.ForeignKey(
        Company, verbose_name=_("Salon"), on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(max_length=10, choices=SyncAction.choices)
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    generation = models.PositiveIntegerField(default=1)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    leased_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True)
    open_creates = models.JSONField(default=list, blank=True)
    last_error = models.TextField(blank=True)
    error_kind = models.CharField(max_length=40, blank=True)
    # Set when the row becomes pending, kept through retries and later requests, cleared when
    # it is done or given up: how long Cal.com has been behind for this phase (alerts).
    pending_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Cal.com-Sync-Auftrag"
        verbose_name_plural = "Cal.com-Sync-Aufträge"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="sync_task_due"),
        ]

    def __str__(self) -> str:
        return f"{self.action} phase {self.phase_id} ({self.status})"


class AttendeePolicy(models.TextChoices):
    FIRST_PHASE = "first_phase", "Kund:in nur bei der ersten Phase"
    EVERY_PHASE = "every_phase", "Kund:in bei jeder Phase"
    SALON_ONLY = "salon_only", "Nie die Kund:in (Salon-Platzhalter)"


class CalcomSyncSettings(models.Model):
    """Per-company switches for the Cal.com mirror; a company without a row gets defaults.

    Attendee policy: Cal.com e-mails the attendee for every booking it creates, and every
    staff-required phase is its own booking, so a colour with four phases would send the
    customer four confirmations. The default `first_phase` makes the customer the attendee
    of the first phase only (one confirmation, at the time the customer has to arrive) and
    puts a salon placeholder on the others. The placeholder address ends in `.invalid`
    (RFC 2606), so Cal.com's mails to it go nowhere instead of filling the salon's inbox;
    set `placeholder_email` to receive them. `salon_only` keeps customers out of Cal.com's
    mails altogether (the salon confirms itself); `every_phase` is the old behaviour.
    """

    company = models.OneToOneField(
        Company,
        verbose_name=_("Salon"),
        on_delete=models.CASCADE,
        related_name="calcom_sync_settings",
    )
    attendee_policy = models.CharField(
        max_length=12, choices=AttendeePolicy.choices, default=AttendeePolicy.FIRST_PHASE
    )
    placeholder_email = models.EmailField(
        blank=True, help_text="Leer: nicht zustellbare Adresse (…@phasebook.invalid)."
    )
    slot_check_enabled = models.BooleanField(
        default=False,
        help_text="Vor jeder Buchung bei Cal.com nachfragen, ob alle Phasen frei sind.",
    )

    class Meta:
        verbose_name = "Cal.com-Sync-Einstellung"
        verbose_name_plural = "Cal.com-Sync-Einstellungen"

    def __str__(self) -> str:
        return f"{self.company}: {self.attendee_policy}"


class WebhookDelivery(models.Model):
    """Every accepted Cal.com webhook body once; a redelivery of the same body is ignored."""

    company = models.ForeignKey(
        Company, verbose_name=_("Salon"), on_delete=models.CASCADE, related_name="+"
    )
    digest = models.CharField(max_length=64)
    trigger = models.CharField(max_length=40)
    booking_uid = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Cal.com-Webhook"
        verbose_name_plural = "Cal.com-Webhooks"
        constraints = [
            models.UniqueConstraint(fields=["company", "digest"], name="webhook_delivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.trigger} {self.booking_uid}"


class DriftKind(models.TextChoices):
    EXTERNAL_OVERLAP = "external_overlap", "Fremdbuchung überschneidet eine Phase"
    UNMAPPED = "unmapped", "Keine Event-Type-Zuordnung"
    MANUAL_REVIEW = "manual_review", "Sync aufgegeben"


class SyncDrift(models.Model):
    """A difference between us and Cal.com that reconciliation cannot repair by itself."""

    company = models.ForeignKey(
        Company, verbose_name=_("Salon"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=DriftKind.choices)
    reference = models.CharField(max_length=255, help_text="Buchungs-UID oder Phasen-ID.")
    detail = models.TextField()
    detected_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Cal.com-Abweichung"
        verbose_name_plural = "Cal.com-Abweichungen"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "reference"],
                condition=Q(resolved_at__isnull=True),
                name="sync_drift_open_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.reference}"


class ReconcileRun(models.Model):
    """A salon's latest reconciliation: when it ran, whether it could compare, what it found.

    One row per salon, overwritten by every run; `completed_at` stays at the last run that
    compared and repaired, so a run refused for a bad listing does not count as having run.
    """

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="+")
    ran_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    refused = models.TextField(blank=True, help_text="Warum nicht abgeglichen wurde, mit Abhilfe.")
    missing = models.PositiveIntegerField(default=0)
    stale = models.PositiveIntegerField(default=0)
    orphans_cancelled = models.PositiveIntegerField(default=0)
    revived = models.PositiveIntegerField(default=0)
    external_blocks = models.PositiveIntegerField(default=0)
    drift = models.PositiveIntegerField(default=0)

    # What a run found, by name: the fields above, the report's counts, the metric's `kind`.
    FOUND = ("missing", "stale", "orphans_cancelled", "revived", "external_blocks", "drift")

    class Meta:
        verbose_name = "Cal.com-Abgleich"
        verbose_name_plural = "Cal.com-Abgleiche"

    def __str__(self) -> str:
        return f"{self.company}: {moment_text(self.ran_at, self.company.zone)}"
