"""Appointments in the portal: the Terminübersicht (list) and the Termin-Detailseite.

Both are read-only: an appointment changes only through the booking service, from the
portal's action pages (new, reschedule, cancel) and the sync pages (retry, verify), which
the detail page links as buttons. The list costs the same queries for 10 rows or 10,000
(subqueries per shown row, no GROUP BY over the whole table).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import unquote
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.decorators import action

from phasebook.booking.models import Appointment, AppointmentPhase, AppointmentStatus
from phasebook.booking.rendering import render_history
from phasebook.common.admin import TenantAdmin
from phasebook.portal.badges import badge, kind_badge, sync_badge
from phasebook.portal.detail import phase_rows, timeline_rows, zone_name
from phasebook.portal.filters import KindFilter, LocalDayRangeFilter, StatusFilter


def _staff_phase_count() -> Subquery:
    phases = (
        AppointmentPhase.objects.filter(appointment=OuterRef("pk"), staff_required=True)
        .order_by()
        .values("appointment")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Subquery(phases, output_field=IntegerField())


def shown_status(appointment: Appointment) -> str:
    """A hold whose time ran out reads as expired before anything retires its row."""
    expired = (
        appointment.status == AppointmentStatus.HELD
        and appointment.hold_expires_at is not None
        and appointment.hold_expires_at <= timezone.now()
    )
    return str(AppointmentStatus.EXPIRED.label if expired else appointment.get_status_display())


@admin.register(Appointment)
class AppointmentAdmin(TenantAdmin):
    list_display = [
        "start",
        "service_with_segments",
        "kind",
        "staff",
        "customer_name",
        "status_shown",
        "sync_status",
        "review_flag",
    ]
    list_display_links = ["start", "service_with_segments"]
    list_filter = [
        ("start", LocalDayRangeFilter),
        ("staff", RelatedOnlyFieldListFilter),
        ("service", RelatedOnlyFieldListFilter),
        StatusFilter,
        "calcom_sync_status",
        "requires_manual_review",
        KindFilter,
        "source",
    ]
    list_filter_submit = True
    list_select_related = ["service", "staff", "customer"]
    search_fields = ["customer__name", "customer__phone", "caller_name", "caller_phone"]
    search_help_text = gettext_lazy("Name oder Telefonnummer der Kundin / des Kunden")
    date_hierarchy = "start"
    ordering = ["-start"]
    actions_detail = ["reschedule", "cancel", "retry_sync", "verify_sync"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "customer_line",
                    "service_with_segments",
                    "staff",
                    "time_span",
                    "status_shown",
                    "source",
                    "cancel_line",
                    "sync_status",
                    "review_flag",
                ]
            },
        ),
        (gettext_lazy("Segment-Details"), {"fields": ["segment_table", "timeline"]}),
        (gettext_lazy("Verlauf"), {"fields": ["history"]}),
        (
            gettext_lazy("Cal.com-Metadaten"),
            {"fields": ["calcom_metadata"], "classes": ["collapse"]},
        ),
    ]
    readonly_fields = [
        "customer_line",
        "service_with_segments",
        "staff",
        "time_span",
        "status_shown",
        "source",
        "cancel_line",
        "sync_status",
        "review_flag",
        "segment_table",
        "timeline",
        "history",
        "calcom_metadata",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appointment]:
        second_phase = AppointmentPhase.objects.filter(
            appointment=OuterRef("pk"), sequence_order__gte=2
        )
        return (
            super()
            .get_queryset(request)
            # All of them here: the changelist skips list_select_related once one is set.
            .select_related("company", "service", "staff", "customer")
            .annotate(staff_phase_count=_staff_phase_count(), is_compound=Exists(second_phase))
        )

    # Read-only everywhere: no "Sichern" that reports a change, no "Löschen" that fails.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new appointments: the Terminbuch's free times, API, phone agent

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("booking.view_appointment")

    # Columns and fields
    @admin.display(description=gettext_lazy("Leistung"), ordering="service__name")
    def service_with_segments(self, appointment: Any) -> str:
        count = appointment.staff_phase_count or 0
        if appointment.is_compound:
            return _("%(service)s (%(count)d Segmente)") % {
                "service": appointment.service.name,
                "count": count,
            }
        return appointment.service.name

    @admin.display(description=gettext_lazy("Typ"))
    def kind(self, appointment: Any) -> SafeString:
        return kind_badge(appointment.is_compound)

    @admin.display(description=gettext_lazy("Status"), ordering="status")
    def status_shown(self, appointment: Appointment) -> str:
        return shown_status(appointment)

    @admin.display(description=gettext_lazy("Cal.com-Status"), ordering="calcom_sync_status")
    def sync_status(self, appointment: Appointment) -> SafeString:
        return sync_badge(appointment.calcom_sync_status)

    @admin.display(description=gettext_lazy("Prüfen"), ordering="requires_manual_review")
    def review_flag(self, appointment: Appointment) -> SafeString | str:
        # Shown only when a person has to look: healthy appointments show nothing.
        if appointment.requires_manual_review:
            return badge(_("Manuelle Prüfung nötig"), "is-failed")
        return ""

    @admin.display(description=gettext_lazy("Kund:in"), ordering="customer__name")
    def customer_name(self, appointment: Appointment) -> str:
        return appointment.contact.name

    @admin.display(description=gettext_lazy("Kund:in"))
    def customer_line(self, appointment: Appointment) -> str:
        contact = appointment.contact
        reach = " · ".join(part for part in (contact.phone, contact.email) if part)
        return f"{contact.name} ({reach})" if reach else contact.name

    @admin.display(description=gettext_lazy("Zeit"))
    def time_span(self, appointment: Appointment) -> str:
        start = timezone.localtime(appointment.start)
        end = timezone.localtime(appointment.end)
        return _("%(day)s, %(start)s–%(end)s Uhr (%(zone)s)") % {
            "day": start.strftime("%d.%m.%Y"),
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"),
            "zone": zone_name(),
        }

    @admin.display(description=gettext_lazy("Storniert"))
    def cancel_line(self, appointment: Appointment) -> str:
        if appointment.cancelled_at is None:
            return "–"
        when = timezone.localtime(appointment.cancelled_at).strftime("%d.%m.%Y %H:%M")
        return f"{when}: {appointment.cancel_reason}" if appointment.cancel_reason else when

    @admin.display(description=gettext_lazy("Alle Segmente"))
    def segment_table(self, appointment: Appointment) -> SafeString:
        rows = phase_rows(self._phases(appointment))
        return SafeString(render_to_string("portal/appointment/phases.html", {"rows": rows}))

    @admin.display(description=gettext_lazy("Zeitleiste"))
    def timeline(self, appointment: Appointment) -> SafeString:
        rows, total = timeline_rows(self._phases(appointment))
        context = {"rows": rows, "total": total}
        return SafeString(render_to_string("portal/appointment/timeline.html", context))

    @admin.display(description=gettext_lazy("Gespeichert"))
    def calcom_metadata(self, appointment: Appointment) -> SafeString:
        rows = phase_rows(self._phases(appointment))
        return SafeString(render_to_string("portal/appointment/metadata.html", {"rows": rows}))

    @admin.display(description=gettext_lazy("Änderungen"))
    def history(self, appointment: Appointment) -> SafeString:
        """Every change with its time (the salon's), its actor and what it was."""
        rows = [
            {
                "kind": event.kind,
                "when": event.at.strftime("%d.%m.%Y %H:%M"),
                "who": f"{event.actor.kind_label}: {event.actor.label}",
                "what": event.description,
            }
            for event in render_history(appointment)
        ]
        return SafeString(render_to_string("booking/history.html", {"rows": rows}))

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The admin's "Änderungsgeschichte" shows the appointment's events too."""
        appointment = self.get_object(request, unquote(object_id))
        if appointment is not None:
            extra_context = {
                **(extra_context or {}),
                "appointment_history": self.history(appointment),
            }
        return super().history_view(request, object_id, extra_context)

    def _phases(self, appointment: Appointment) -> list[AppointmentPhase]:
        """The appointment's phases, read once per page."""
        if not hasattr(appointment, "_portal_phases"):
            appointment._portal_phases = list(  # type: ignore[attr-defined]
                appointment.phases.order_by("sequence_order")
            )
        return appointment._portal_phases  # type: ignore[attr-defined]

    # Buttons on the detail page: each opens a page that asks before it changes anything.
    # Their permissions are methods, not "booking.change_appointment": unfold's system check
    # looks dotted names up in the database, which a fresh installation does not have yet
    # (`phasebook migrate`, which runs the checks first, would fail).

    def has_change_appointments_permission(
        self, request: HttpRequest, object_id: Any = None
    ) -> bool:
        return request.user.has_perm("booking.change_appointment")

    def has_view_appointments_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return request.user.has_perm("booking.view_appointment")

    def _to(self, name: str, object_id: str) -> HttpResponse:
        return HttpResponseRedirect(reverse(name, args=[object_id]))

    @action(
        description=gettext_lazy("Verschieben"),
        url_path="verschieben",
        permissions=["change_appointments"],
        icon="schedule",
    )
    def reschedule(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._to("portal:reschedule", object_id)

    @action(
        description=gettext_lazy("Stornieren"),
        url_path="stornieren",
        permissions=["change_appointments"],
        icon="event_busy",
    )
    def cancel(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._to("portal:cancel", object_id)

    @action(
        description=gettext_lazy("Sync wiederholen"),
        url_path="sync-wiederholen",
        permissions=["change_appointments"],
        icon="sync",
    )
    def retry_sync(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._to("portal:retry_sync", object_id)

    @action(
        description=gettext_lazy("In Cal.com prüfen"),
        url_path="cal-com-pruefen",
        permissions=["view_appointments"],
        icon="fact_check",
    )
    def verify_sync(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._to("portal:verify_sync", object_id)
