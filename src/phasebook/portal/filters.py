"""List filters of the appointment list that read the salon's calendar, not UTC's."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import RangeDateFilter

from phasebook.booking.models import AppointmentPhase, AppointmentStatus


def _local_day(raw: Any) -> date | None:
    try:
        return forms.DateField().to_python(raw)  # the active language's date formats
    except ValidationError:
        return None


class LocalDayRangeFilter(RangeDateFilter):
    """From – to as the salon's calendar days, both included (unfold's range filter would
    compare with midnight UTC)."""

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        zone = timezone.get_current_timezone()  # the salon's (portal middleware)
        name = self.parameter_name
        first = _local_day(self.used_parameters.get(f"{name}_from"))
        last = _local_day(self.used_parameters.get(f"{name}_to"))
        if first is not None:
            queryset = queryset.filter(**{f"{name}__gte": datetime.combine(first, time(), zone)})
        if last is not None:
            following = datetime.combine(last + timedelta(days=1), time(), zone)
            queryset = queryset.filter(**{f"{name}__lt": following})
        return queryset


class StatusFilter(admin.SimpleListFilter):
    """The status as it reads: a hold whose time ran out is expired, whether or not a
    booking has retired its row yet."""

    title = _("Status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(AppointmentStatus.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        ran_out = Q(status=AppointmentStatus.HELD, hold_expires_at__lte=now)
        match self.value():
            case AppointmentStatus.HELD:
                return queryset.filter(status=AppointmentStatus.HELD, hold_expires_at__gt=now)
            case AppointmentStatus.EXPIRED:
                return queryset.filter(Q(status=AppointmentStatus.EXPIRED) | ran_out)
            case None:
                return queryset
            case value:
                return queryset.filter(status=value)


class KindFilter(admin.SimpleListFilter):
    """Compound (more than one phase) or Standard."""

    title = _("Typ")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("compound", _("Compound")), ("standard", _("Standard"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        second_phase = AppointmentPhase.objects.filter(
            appointment=OuterRef("pk"), sequence_order__gte=2
        )
        if self.value() == "compound":
            return queryset.filter(Exists(second_phase))
        if self.value() == "standard":
            return queryset.exclude(Exists(second_phase))
        return queryset
