"""Appointments in the admin: list with composite badge and sync state, detail with the
phase timeline and every phase's Cal.com ids. Changes go through the booking service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString

from phasebook.booking.models import Appointment, AppointmentPhase
from phasebook.booking.rendering import render_appointment
from phasebook.booking.services import cancel_appointment
from phasebook.common.admin import TenantAdmin, TenantInline

_SYNC_MARKS = {"synced": "✓", "failed": "✗", "pending": "…", "partial": "◐"}


class PhaseInline(TenantInline):
    model = AppointmentPhase
    company_path = "appointment__company"
    extra = 0
    can_delete = False
    fields = [
        "sequence_order",
        "segment_key",
        "segment_name",
        "start_time",
        "end_time",
        "duration_minutes",
        "staff_required",
        "calcom_sync_status",
        "calcom_booking_id",
        "calcom_booking_uid",
        "calcom_event_type_id",
        "sync_error_message",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(TenantAdmin):
    list_display = [
        "start",
        "service",
        "kind",
        "staff",
        "customer",
        "status",
        "calcom_sync_status",
        "requires_manual_review",
    ]
    list_filter = ["status", "calcom_sync_status", "requires_manual_review", "source"]
    list_select_related = ["service", "staff", "customer"]
    search_fields = ["customer__name", "service__name", "staff__name"]
    date_hierarchy = "start"
    inlines = [PhaseInline]
    actions = ["cancel_selected"]
    readonly_fields = [
        "id",
        "company",
        "customer",
        "service",
        "staff",
        "start",
        "end",
        "status",
        "hold_expires_at",
        "source",
        "cancel_reason",
        "cancelled_at",
        "calcom_sync_status",
        "calcom_v2_booking_id",
        "requires_manual_review",
        "created_at",
        "updated_at",
        "timeline",
    ]
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appointment]:
        return (
            super()
            .get_queryset(request)
            .annotate(staff_phase_count=Count("phases", filter=Q(phases__staff_required=True)))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # bookings are made through the booking service (API, phone agent)

    @admin.display(description="Typ")
    def kind(self, appointment: Any) -> str:
        count = appointment.staff_phase_count
        return f"Mehrphasig ({count} Segmente)" if count > 1 else "Einfach"

    @admin.display(description="Zeitleiste")
    def timeline(self, appointment: Appointment) -> SafeString:
        phases = render_appointment(appointment).phases
        total = sum(phase.duration_minutes for phase in phases) or 1
        rows = [
            {
                "start": phase.start_time.strftime("%H:%M"),
                "key": phase.segment_key,
                "name": phase.segment_name,
                "minutes": phase.duration_minutes,
                "staff_required": phase.staff_required,
                "width": max(8, round(phase.duration_minutes * 100 / total)),
                "sync_mark": _SYNC_MARKS.get(phase.calcom_sync_status, ""),
            }
            for phase in phases
        ]
        return SafeString(render_to_string("booking/timeline.html", {"phases": rows}))

    @admin.action(description="Ausgewählte Termine stornieren")
    def cancel_selected(
        self, request: HttpRequest, queryset: QuerySet[Appointment]
    ) -> HttpResponse | None:
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                "admin/booking/confirm_cancel.html",
                {
                    **self.admin_site.each_context(request),
                    "appointments": queryset,
                    "title": "Termine stornieren",
                },
            )
        for appointment in queryset.select_related("company"):
            cancel_appointment(appointment.company, appointment.pk, "Im Admin storniert")
        self.message_user(request, f"{queryset.count()} Termin(e) storniert.", messages.SUCCESS)
        return None
