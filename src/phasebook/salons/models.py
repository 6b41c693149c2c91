"""Tenants and their catalogue: companies, API tokens, stylists, services, customers.

Weekly hours and segment lists are stored as JSON and validated by the scheduling
core's parsers, so there is exactly one format for each.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phasebook.scheduling.calendar import HoursError, WeeklyHours, parse_weekly_hours
from phasebook.scheduling.explain import moment_text
from phasebook.scheduling.segments import Segment, SegmentError, parse_segments, total_minutes


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("Unbekannte Zeitzone: %(value)s"), params={"value": value})


def validate_weekly_hours(value: object) -> None:
    try:
        parse_weekly_hours(value)
    except HoursError as error:
        raise ValidationError(str(error)) from error


def validate_segments(value: object) -> None:
    try:
        parse_segments(value)
    except SegmentError as error:
        raise ValidationError(str(error)) from error


def validate_date_list(value: object) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Erwartet eine Liste von Daten (JJJJ-MM-TT)."))
    for item in value:
        try:
            datetime.strptime(str(item), "%Y-%m-%d")  # noqa: DTZ007 - a calendar date, no instant
        except ValueError as error:
            raise ValidationError(
                _("%(value)s ist kein Datum (JJJJ-MM-TT)."), params={"value": repr(item)}
            ) from error


class Company(models.Model):
    """A salon: the tenant. Every other row belongs to exactly one company."""

    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kürzel"), unique=True)
    time_zone = models.CharField(
        _("Zeitzone"), max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    opening_hours = models.JSONField(
        _("Öffnungszeiten"),
        default=dict,
        validators=[validate_weekly_hours],
        help_text=_('z. B. {"mon": [["09:00", "18:00"]]}'),
    )
    closed_dates = models.JSONField(
        _("Schließtage"),
        default=list,
        blank=True,
        validators=[validate_date_list],
        help_text=_("Zusätzliche Schließtage (JJJJ-MM-TT)."),
    )
    public_holidays_country = models.CharField(
        _("Feiertage des Landes"),
        max_length=2,
        default="DE",
        blank=True,
        help_text=_("An gesetzlichen Feiertagen dieses Landes geschlossen (leer: nie)."),
    )
    public_holidays_subdivision = models.CharField(
        _("Feiertage des Bundeslands"), max_length=10, blank=True
    )
    min_notice_minutes = models.PositiveIntegerField(_("Mindestvorlauf (min)"), default=60)
    horizon_days = models.PositiveIntegerField(_("Buchbar für (Tage)"), default=90)
    slot_step_minutes = models.PositiveIntegerField(_("Terminraster (min)"), default=15)
    # Abuse limits (booking/limits.py): one client or caller cannot take the salon's day.
    client_writes_per_minute = models.PositiveIntegerField(
        _("Buchungen und Reservierungen je Client und Minute"),
        default=20,
        help_text=_("Je API-Token bzw. Telefon-Assistent; darüber 429."),
    )
    caller_writes_per_hour = models.PositiveIntegerField(
        _("Buchungen und Reservierungen je Telefonnummer und Stunde"), default=10
    )
    live_holds_per_client = models.PositiveIntegerField(
        _("Gleichzeitige Reservierungen je Client"), default=5
    )
    live_holds_per_caller = models.PositiveIntegerField(
        _("Gleichzeitige Reservierungen je Telefonnummer"), default=2
    )
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Salon")
        verbose_name_plural = _("Salons")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_step_minutes__gte=5), name="company_slot_step_at_least_5"
            ),
            models.CheckConstraint(
                condition=Q(horizon_days__gte=1), name="company_horizon_at_least_1_day"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def weekly_opening_hours(self) -> WeeklyHours:
        return parse_weekly_hours(self.opening_hours)

    @property
    def min_notice(self) -> timedelta:
        return timedelta(minutes=self.min_notice_minutes)

    @property
    def horizon(self) -> timedelta:
        return timedelta(days=self.horizon_days)

    @property
    def slot_step(self) -> timedelta:
        return timedelta(minutes=self.slot_step_minutes)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A company's bearer token for the HTTP API. Only its SHA-256 is stored."""

    PREFIX = "pb_"
    # The hint shows a token's first characters so people can tell their tokens apart. Of a
    # short token those would be most of the secret, so it gets no hint at all.
    HINT_LENGTH = 8
    SHORTEST_WITH_HINT = 32

    company = models.ForeignKey(
        Company, verbose_name=_("Salon"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("Name"), max_length=100)
    key_hash = models.CharField(_("Prüfsumme"), max_length=64, unique=True)
    hint = models.CharField(
        _("Erkennung"),
        max_length=12,
        blank=True,
        help_text=_("Die ersten Zeichen, zum Wiedererkennen (leer bei kurzen Tokens)."),
    )
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("Zuletzt benutzt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("Widerrufen am"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API-Token")
        verbose_name_plural = _("API-Tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)" if self.hint else self.name

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def hint_for(cls, raw: str) -> str:
        return raw[: cls.HINT_LENGTH] if len(raw) >= cls.SHORTEST_WITH_HINT else ""

    @classmethod
    def issue(cls, company: Company, name: str, raw: str | None = None) -> tuple[ApiToken, str]:
        """Create a token; the raw value is returned once and never stored."""
        raw = raw or cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            company=company, name=name, key_hash=cls.hash(raw), hint=cls.hint_for(raw)
        )
        return token, raw

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class Service(models.Model):
    """What a salon sells: an ordered list of segments (see scheduling.segments)."""

    company = models.ForeignKey(
        Company, verbose_name=_("Salon"), on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(_("Name"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    segments = models.JSONField(_("Segmente"), validators=[validate_segments])
    is_active = models.BooleanField(_("Aktiv"), default=True)

    class Meta:
        verbose_name = _("Leistung")
        verbose_name_plural = _("Leistungen")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="service_name_unique"),
            # What rows of the same company reference (common/constraints.py,
            # SameCompanyForeignKey): the primary key alone cannot say whose row it is.
            models.UniqueConstraint(fields=["company", "id"], name="service_company_key"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def segment_list(self) -> tuple[Segment, ...]:
        return parse_segments(self.segments)

    @property
    def duration_minutes(self) -> int:
        return total_minutes(self.segment_list)

    @property
    def is_composite(self) -> bool:
        return len(self.segment_list) > 1

    @property
    def staff_segments(self) -> list[Segment]:
        return [segment for segment in self.segment_list if segment.staff_required]


class Staff(models.Model):
    """A stylist. The UUID is public (API, Cal.com metadata)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(
        Company, verbose_name=_("Salon"), on_delete=models.CASCADE, related_name="staff"
    )
    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("E-Mail"), blank=True)
    is_active = models.BooleanField(_("Aktiv"), default=True)
    services = models.ManyToManyField(
        Service, verbose_name=_("Leistungen"), blank=True, related_name="staff"
    )
    working_hours = models.JSONField(
        _("Arbeitszeiten"),
        default=dict,
        validators=[validate_weekly_hours],
        help_text=_('z. B. {"mon": [["09:00", "18:00"]]}'),
    )
    calcom_user_id = models.PositiveBigIntegerField(
        _("Cal.com-Benutzer-ID"),
        null=True,
        blank=True,
        help_text=_("Cal.com-Benutzer-ID, Gastgeber der Phasen-Buchungen."),
    )
    calcom_username = models.CharField(_("Cal.com-Benutzername"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("Mitarbeiter:in")
        verbose_name_plural = _("Mitarbeiter:innen")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "id"], name="staff_company_key"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weekly_working_hours(self) -> WeeklyHours:
        return parse_weekly_hours(self.working_hours)


class Absence(models.Model):
    """Holiday, sick day or training: the stylist takes no staff-required phase."""

    staff = models.ForeignKey(
        Staff, verbose_name=_("Mitarbeiter:in"), on_delete=models.CASCADE, related_name="absences"
    )
    start = models.DateTimeField(_("Beginn"))
    end = models.DateTimeField(_("Ende"))
    reason = models.CharField(_("Grund"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Abwesenheit")
        verbose_name_plural = _("Abwesenheiten")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="absence_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        zone = self.staff.company.zone
        return f"{self.staff}: {moment_text(self.start, zone)}–{moment_text(self.end, zone)}"


class ExternalBusyBlock(models.Model):
    """Time a stylist is busy elsewhere, e.g. a booking made directly in Cal.com.

    `company` is the stylist's, stored so that an external id is unique within one salon
    only: another salon's webhook naming the same booking uid finds nothing of this one."""

    company = models.ForeignKey(
        Company, verbose_name=_("Salon"), on_delete=models.CASCADE, related_name="busy_blocks"
    )
    staff = models.ForeignKey(
        Staff,
        verbose_name=_("Mitarbeiter:in"),
        on_delete=models.CASCADE,
        related_name="busy_blocks",
    )
    start = models.DateTimeField(_("Beginn"))
    end = models.DateTimeField(_("Ende"))
    source = models.CharField(_("Quelle"), max_length=20, default="calcom")
    external_id = models.CharField(
        _("Externe Kennung"), max_length=255, help_text=_("z. B. die Cal.com-Buchungs-UID.")
    )
    updated_at = models.DateTimeField(_("Aktualisiert am"), auto_now=True)

    class Meta:
        verbose_name = _("Externer Termin")
        verbose_name_plural = _("Externe Termine")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="busy_block_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["company", "source", "external_id"],
                name="busy_block_external_id_unique_per_company",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff}: {moment_text(self.start, self.company.zone)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.company_id is None:
            self.company_id = self.staff.company_id  # always the stylist's salon
        super().save(*args, **kwargs)


def validate_e164(value: str) -> None:
    import phonenumbers

    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(_("Telefonnummer im Format +49… angeben.")) from error
    if not phonenumbers.is_valid_number(number) or value != phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.E164
    ):
        raise ValidationError(
            _("Telefonnummer im internationalen Format E.164 angeben, z. B. +4930123456.")
        )


class Customer(models.Model):
    company = models.ForeignKey(
        Company, verbose_name=_("Salon"), on_delete=models.CASCADE, related_name="customers"
    )
    name = models.CharField(_("Name"), max_length=200)
    phone = models.CharField(_("Telefon"), max_length=20, blank=True, validators=[validate_e164])
    email = models.EmailField(_("E-Mail"), blank=True)
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Kund:in")
        verbose_name_plural = _("Kund:innen")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "phone"],
                condition=~Q(phone=""),
                name="customer_phone_unique_per_company",
            ),
            models.UniqueConstraint(fields=["company", "id"], name="customer_company_key"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """Which salon an admin user works for. Superusers see every salon; everybody else
    sees and changes only the data of their own salons (invariant 5, salons/tenancy.py).
    Owners also manage the salon's memberships and API tokens."""

    user = models.ForeignKey(
        "auth.User",
        verbose_name=_("Benutzer:in"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("Salon"), on_delete=models.CASCADE, related_name="memberships"
    )
    is_owner = models.BooleanField(
        _("Inhaber:in"),
        default=False,
        help_text=_("Verwaltet die Mitgliedschaften und API-Tokens des Salons."),
    )

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company}"
