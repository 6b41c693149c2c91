"""Cal.com in the admin: connections (API key write-only), event-type maps and their history
(read-only: maps change through `phasebook calcom_provision` / `calcom_rollback`, which keep
the history that a rollback needs)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models

from phasebook.calcom.models import CalcomConnection, CalcomEventMap, CalcomEventMapChange
from phasebook.common.admin import ReadOnlyTenantAdmin, TenantAdmin


def _https_by_default(field: models.Field[Any, Any], **kwargs: Any) -> Any:
    # Django 6 makes https the default scheme of URL form fields; Cal.com is https anyway.
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class CalcomConnectionForm(forms.ModelForm):
    """The API key and webhook secret can be set, never read back."""

    new_api_key = forms.CharField(
        label="Neuer API-Key",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leer lassen, um den gespeicherten Key zu behalten.",
    )
    new_webhook_secret = forms.CharField(
        label="Neues Webhook-Secret",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leer lassen, um das gespeicherte Secret zu behalten.",
    )

    class Meta:
        model = CalcomConnection
        formfield_callback = _https_by_default
        fields = (
            "company",
            "base_url",
            "team_id",
            "is_enabled",
            "bookings_api_version",
            "slots_api_version",
            "event_types_api_version",
        )

    def save(self, commit: bool = True) -> CalcomConnection:
        connection = super().save(commit=False)
        if self.cleaned_data.get("new_api_key"):
            connection.api_key = self.cleaned_data["new_api_key"]
        if self.cleaned_data.get("new_webhook_secret"):
            connection.webhook_secret = self.cleaned_data["new_webhook_secret"]
        if commit:
            connection.save()
        return connection


@admin.register(CalcomConnection)
class CalcomConnectionAdmin(TenantAdmin):
    form = CalcomConnectionForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("company", "base_url", "team_id", "is_enabled", "has_api_key")
    list_select_related = ("company",)

    @admin.display(boolean=True, description="API-Key gesetzt")
    def has_api_key(self, connection: CalcomConnection) -> bool:
        return connection.has_api_key


@admin.register(CalcomEventMap)
class CalcomEventMapAdmin(ReadOnlyTenantAdmin):
    list_display = (
        "service",
        "segment_key",
        "staff",
        "event_type_id",
        "event_type_slug",
        "updated_at",
    )
    list_filter = ("company", "service")
    list_select_related = ("service", "staff")
    search_fields = ("event_type_slug", "=event_type_id")


@admin.register(CalcomEventMapChange)
class CalcomEventMapChangeAdmin(ReadOnlyTenantAdmin):
    list_display = (
        "changed_at",
        "reason",
        "service",
        "segment_key",
        "staff",
        "old_event_type_id",
        "new_event_type_id",
        "rolled_back",
        "batch",
    )
    list_filter = ("company", "reason", "rolled_back")
    list_select_related = ("service", "staff")
