"""A salon's Retell connection and the calls its phone agent took.

A call row is written from whichever of Retell's events arrives first (a call that never
connected sends no `call_started`); each event is applied once (`CallEvent`). Transcripts and
recording links are personal data and are removed after the retention period
(`retention.py`); the call itself stays.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phasebook.common.crypto import decrypt, encrypt
from phasebook.salons.models import Company, validate_e164


def validate_phone_numbers(value: object) -> None:
    from django.core.exceptions import ValidationError

    if not isinstance(value, list):
        raise ValidationError(_("Erwartet eine Liste von Telefonnummern (+49…)."))
    for number in value:
        validate_e164(str(number))


class RetellConnection(models.Model):
    """The salon's Retell API key (encrypted; Retell signs every request with it) and,
    optionally, which agent and numbers are the salon's."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, related_name="retell_connection"
    )
    api_key_encrypted = models.TextField(blank=True)
    agent_id = models.CharField(max_length=100, blank=True)
    phone_numbers = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_phone_numbers],
        help_text=_('Die Nummern des Salons bei Retell, z. B. ["+4930123456"].'),
    )
    is_enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Retell-Verbindung")
        verbose_name_plural = _("Retell-Verbindungen")

    def __str__(self) -> str:
        return str(self.company)

    @property
    def has_api_key(self) -> bool:
        return bool(self.api_key_encrypted)

    @property
    def api_key(self) -> str:
        return decrypt(self.api_key_encrypted) if self.api_key_encrypted else ""

    @api_key.setter
    def api_key(self, value: str) -> None:
        self.api_key_encrypted = encrypt(value) if value else ""


class Call(models.Model):
    """One phone (or web test) call, as Retell reported it."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="calls")
    call_id = models.CharField(max_length=128)
    agent_id = models.CharField(max_length=100, blank=True)
    call_type = models.CharField(max_length=20, blank=True)
    direction = models.CharField(max_length=10, blank=True)
    from_number = models.CharField(max_length=40, blank=True)
    to_number = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, blank=True)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveBigIntegerField(null=True, blank=True)
    disconnection_reason = models.CharField(max_length=64, blank=True)
    transcript = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    sentiment = models.CharField(max_length=16, blank=True)
    successful = models.BooleanField(null=True, blank=True)
    recording_url = models.TextField(blank=True)
    personal_data_removed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Transkript und Aufnahme nach der Aufbewahrungsfrist gelöscht."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Anruf")
        verbose_name_plural = _("Anrufe")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "call_id"], name="call_id_unique_per_company"
            ),
            # Referenced by callback requests and call appointments (common/constraints.py).
            models.UniqueConstraint(fields=["company", "id"], name="call_company_key"),
        ]
        indexes = [
            models.Index(fields=["company", "-created_at"], name="call_company_newest"),
            models.Index(
                fields=["created_at"],
                name="call_personal_data_due",
                condition=Q(personal_data_removed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.call_id


class CallEvent(models.Model):
    """Which of Retell's events a call has had applied: each at most once."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(max_length=32)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Anruf-Ereignis")
        verbose_name_plural = _("Anruf-Ereignisse")
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "event"], name="call_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.call} {self.event}"


class CallbackRequest(models.Model):
    """A caller whose number was withheld asked about their appointments: the salon calls
    back or helps when they call again with their number."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="callback_requests")
    call = models.ForeignKey(
        Call,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="callback_requests",
        help_text=_("Leer, wenn Retell den Anruf nicht mitgeschickt hat."),
    )
    tool = models.CharField(max_length=64)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Rückrufwunsch")
        verbose_name_plural = _("Rückrufwünsche")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "tool"], name="callback_once_per_call_and_tool"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call} {self.tool}"


class CallAppointment(models.Model):
    """What a call did to an appointment: held, booked, moved or cancelled it. The calls API
    and the portal list a call's appointments from these rows.

    `company` is the call's, stored so that PostgreSQL can check that the appointment is of
    that company too (phone migration 0006)."""

    class Action(models.TextChoices):
        HELD = "held", _("Reserviert")
        BOOKED = "booked", _("Gebucht")
        RESCHEDULED = "rescheduled", _("Verschoben")
        CANCELLED = "cancelled", _("Storniert")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="appointment_links")
    appointment = models.ForeignKey(
        "booking.Appointment", on_delete=models.CASCADE, related_name="call_links"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Termin eines Anrufs")
        verbose_name_plural = _("Termine eines Anrufs")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "appointment", "action"], name="call_appointment_action_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call} {self.action} {self.appointment_id}"
