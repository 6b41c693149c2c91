from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action

from phasebook.common.admin import TenantAdmin, TenantInline
from phasebook.portal.widgets import catalogue_form
from phasebook.salons.models import (
    Absence,
    ApiToken,
    Company,
    Customer,
    ExternalBusyBlock,
    Membership,
    Service,
    Staff,
)

APPOINTMENTS_SHOWN = 50


@admin.register(Company)
class CompanyAdmin(TenantAdmin):
    form = catalogue_form(Company, "opening_hours")
    list_display = [
        "name",
        "slug",
        "time_zone",
        "min_notice_minutes",
        "horizon_days",
        "slot_step_minutes",
    ]
    search_fields = ["name", "slug"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser


class AbsenceInline(TenantInline):
    model = Absence
    extra = 0


@admin.register(Staff)
class StaffAdmin(TenantAdmin):
    list_display = ["name", "company", "is_active", "calcom_user_id"]
    list_filter = ["is_active"]
    list_select_related = ["company"]
    search_fields = ["name"]
    filter_horizontal = ["services"]
    form = catalogue_form(Staff, "working_hours")
    inlines = [AbsenceInline]
    actions_detail = ["report_absence"]

    # A method, not "salons.add_absence": unfold's system check would look a dotted name up
    # in the database, which a fresh installation does not have yet.
    def has_report_absence_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return request.user.has_perm("salons.add_absence")

    @action(
        description=_("Ausfall eintragen"),
        url_path="ausfall",
        permissions=["report_absence"],
        icon="sick",
    )
    def report_absence(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return HttpResponseRedirect(reverse("portal:absence", args=[object_id]))


@admin.register(Absence)
class AbsenceAdmin(TenantAdmin):
    """Everybody's absences in one list; the stylist's page lists her own."""

    list_display = ["staff", "start", "end", "reason"]
    list_select_related = ["staff"]
    date_hierarchy = "start"
    search_fields = ["staff__name", "reason"]


@admin.register(Service)
class ServiceAdmin(TenantAdmin):
    list_display = ["name", "company", "duration_minutes", "is_composite", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["company"]
    search_fields = ["name"]
    form = catalogue_form(Service, "segments")

    @admin.display(description=_("Dauer (min)"))
    def duration_minutes(self, service: Service) -> int:
        return service.duration_minutes

    @admin.display(description=_("Mehrphasig"), boolean=True)
    def is_composite(self, service: Service) -> bool:
        return service.is_composite


@admin.register(Customer)
class CustomerAdmin(TenantAdmin):
    list_display = ["name", "phone", "email", "created_at"]
    search_fields = ["name", "phone", "email"]
    fields = ["company", "name", "phone", "email", "appointment_history"]
    readonly_fields = ["appointment_history"]

    @admin.display(description=_("Termine"))
    def appointment_history(self, customer: Customer) -> SafeString:
        """The customer's appointments, newest first, each linked to its page."""
        if customer.pk is None:
            return SafeString("–")
        appointments = customer.appointments.select_related("service", "staff").order_by("-start")[
            :APPOINTMENTS_SHOWN
        ]
        return SafeString(
            render_to_string("portal/customer_appointments.html", {"appointments": appointments})
        )


@admin.register(ExternalBusyBlock)
class ExternalBusyBlockAdmin(TenantAdmin):
    list_display = ["staff", "start", "end", "source", "external_id"]
    list_select_related = ["staff"]
    readonly_fields = ["staff", "start", "end", "source", "external_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(TenantAdmin):
    """Seen and revoked by the salon's owners only (tenancy.OWNER_MANAGED)."""

    list_display = ["name", "company", "hint", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["company"]
    readonly_fields = ["key_hash", "hint", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued by `phasebook` commands, which show them once


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    """Owners add colleagues to their own salons and make them owners (tenancy.OWNER_MANAGED);
    new user accounts come from superusers."""

    list_display = ["user", "company", "is_owner"]
    list_select_related = ["user", "company"]
    fields = ["user", "company", "is_owner"]
