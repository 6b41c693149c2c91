"""A company's Cal.com connection and the map from (service, segment, stylist) to the
single-host event type that phase bookings use (seed Part 1, option B)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phasebook.common.crypto import decrypt, encrypt
from phasebook.salons.models import Company, Service, Staff
from phasebook.security.outbound import validate_outbound_url


class CalcomConnection(models.Model):
    """Credentials and API versions; the API key is stored encrypted."""

    company = models.OneToOneField(
        Company, verbose_name=_("Salon"), on_delete=models.CASCADE, related_name="calcom_connection"
    )
    base_url = models.URLField(
        default="https://api.cal.com",
        help_text="Ohne /v2, z. B. https://api.cal.com",
        validators=[validate_outbound_url],
    )
    api_key_encrypted = models.TextField(blank=True)
    team_id = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text=(
            "Cal.com-Team der Phasen-Event-Types: nur Team-Event-Types haben einen frei "
            "wählbaren Gastgeber (die Stylistin)."
        ),
    )
    webhook_secret_encrypted = models.TextField(blank=True)
    bookings_api_version = models.CharField(max_length=10, default="2024-08-13")
    slots_api_version = models.CharField(max_length=10, default="2024-09-04")
    event_types_api_version = models.CharField(max_length=10, default="2024-06-14")
    is_enabled = models.BooleanField(default=True)
    # The last check of what the key may do (setup_check.access_problem), written by
    # `calcom_check` and every reconciliation with `update()`, so `updated_at` (which renews
    # the sync's clients) stays as it was; `/readyz` reads it without calling Cal.com.
    access_checked_at = models.DateTimeField(null=True, blank=True)
    access_problem = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Cal.com-Verbindung"
        verbose_name_plural = "Cal.com-Verbindungen"

    def __str__(self) -> str:
        return f"{self.company}: {self.base_url}"

    @property
    def has_api_key(self) -> bool:
        return bool(self.api_key_encrypted)

    @property
    def api_key(self) -> str:
        return decrypt(self.api_key_encrypted) if self.api_key_encrypted else ""

    @api_key.setter
    def api_key(self, value: str) -> None:
        self.api_key_encrypted = encrypt(value) if value else ""

    @property
    def webhook_secret(self) -> str:
        return decrypt(self.webhook_secret_encrypted) if self.webhook_secret_encrypted else ""

    @webhook_secret.setter
    def webhook_secret(self, value: str) -> None:
        self.webhook_secret_encrypted = encrypt(value) if value else ""


class CalcomEventMap(models.Model):
    """Which Cal.com event type books segment `segment_key` of `service` with `staff`."""

    company = models.ForeignKey(
        Company, verbose_name=_("Salon"), on_delete=models.CASCADE, related_name="calcom_maps"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("Leistung"), on_delete=models.CASCADE, related_name="calcom_maps"
    )
    segment_key = models.CharField(max_length=10)
    staff = models.ForeignKey(
        Staff,
        verbose_name=_("Mitarbeiter:in"),
        on_delete=models.CASCADE,
        related_name="calcom_maps",
    )
    event_type_id = models.BigIntegerField()
    event_type_slug = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Cal.com-Event-Type-Zuordnung"
        verbose_name_plural = "Cal.com-Event-Type-Zuordnungen"
        ordering = ["service", "segment_key", "staff"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "segment_key", "staff"],
                name="calcom_map_one_per_segment_and_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.segment_key} / {self.staff} → {self.event_type_id}"


class CalcomEventMapChange(models.Model):
    """History of every map change, so a rollback can restore the previous ids (seed Part 8).

    One provisioning run is one `batch`; rolling back restores `old_event_type_id` of every
    change in the newest batch that has not been rolled back yet.
    """

    class Reason(models.TextChoices):
        PROVISION = "provision", "Angelegt"
        ROLLBACK = "rollback", "Zurückgesetzt"
        IMPORT = "import", "Importiert"
        MANUAL = "manual", "Manuell"

    company = models.ForeignKey(
        Company,
        verbose_name=_("Salon"),
        on_delete=models.CASCADE,
        related_name="calcom_map_changes",
    )
    batch = models.UUIDField(default=uuid.uuid4, db_index=True)
    service = models.ForeignKey(
        Service, verbose_name=_("Leistung"), on_delete=models.CASCADE, related_name="+"
    )
    segment_key = models.CharField(max_length=10)
    staff = models.ForeignKey(
        Staff, verbose_name=_("Mitarbeiter:in"), on_delete=models.CASCADE, related_name="+"
    )
    old_event_type_id = models.BigIntegerField(null=True, blank=True)
    new_event_type_id = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    rolled_back = models.BooleanField(default=False)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Änderung der Cal.com-Zuordnung"
        verbose_name_plural = "Änderungen der Cal.com-Zuordnung"
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(old_event_type_id__isnull=False) | Q(new_event_type_id__isnull=False),
                name="calcom_map_change_changes_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason}: {self.old_event_type_id} → {self.new_event_type_id}"
