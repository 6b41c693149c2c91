"""Cal.com sync in the admin: a salon's switches, and for operations the outbox and the
drift the reconciler could not repair. The outbox is read-only: it is the sync's record."""

from __future__ import annotations

from django.contrib import admin

from phasebook.calsync.models import CalcomSyncSettings, PhaseSyncTask, SyncDrift
from phasebook.common.admin import ReadOnlyTenantAdmin, TenantAdmin


@admin.register(CalcomSyncSettings)
class CalcomSyncSettingsAdmin(TenantAdmin):
    list_display = ["company", "attendee_policy", "slot_check_enabled"]
    list_select_related = ["company"]


@admin.register(PhaseSyncTask)
class PhaseSyncTaskAdmin(ReadOnlyTenantAdmin):
    list_display = [
        "phase",
        "appointment",
        "action",
        "status",
        "attempts",
        "next_attempt_at",
        "error_kind",
    ]
    list_filter = ["status", "action", "error_kind"]
    list_select_related = ["phase", "appointment__service", "appointment__company"]
    search_fields = ["appointment__id", "last_error"]


@admin.register(SyncDrift)
class SyncDriftAdmin(ReadOnlyTenantAdmin):
    list_display = ["detected_at", "kind", "reference", "resolved_at"]
    list_filter = ["kind"]
    search_fields = ["reference", "detail"]
