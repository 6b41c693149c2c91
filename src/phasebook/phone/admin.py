"""Anrufe in the portal: the call list and the call page, read-only (calls are Retell's
record; the phone agent writes them)."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from phasebook.common.admin import ReadOnlyTenantAdmin
from phasebook.phone.models import Call
from phasebook.portal.badges import badge

SENTIMENT_VARIANTS = {"Positive": "is-ok", "Negative": "is-failed", "Neutral": "is-muted"}
SENTIMENT_LABELS = {"Positive": _("positiv"), "Negative": _("negativ"), "Neutral": _("neutral")}
STATUS_LABELS = {
    "registered": _("angemeldet"),
    "ongoing": _("läuft"),
    "ended": _("beendet"),
    "error": _("Fehler"),
    "not_connected": _("nicht verbunden"),
}


def duration_text(milliseconds: int | None) -> str:
    if milliseconds is None:
        return "–"
    seconds = round(milliseconds / 1000)
    return f"{seconds // 60}:{seconds % 60:02d} min"


@admin.register(Call)
class CallAdmin(ReadOnlyTenantAdmin):
    list_display = ["time", "caller", "duration", "status_label", "sentiment_label"]
    list_display_links = ["time", "caller"]
    list_filter = ["status", "sentiment", "successful"]
    search_fields = ["from_number", "summary"]
    search_help_text = _("Telefonnummer oder Zusammenfassung")
    date_hierarchy = "created_at"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "time",
                    "caller",
                    "called",
                    "duration",
                    "status_label",
                    "sentiment_label",
                    "outcome",
                ]
            },
        ),
        (_("Zusammenfassung"), {"fields": ["summary_text"]}),
        (_("Transkript"), {"fields": ["transcript_text"], "classes": ["collapse"]}),
    ]
    readonly_fields = [
        "time",
        "caller",
        "called",
        "duration",
        "status_label",
        "sentiment_label",
        "outcome",
        "summary_text",
        "transcript_text",
    ]

    def has_view_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("phone.view_call")

    @admin.display(description=_("Zeit"), ordering="start")
    def time(self, call: Call) -> str:
        moment = call.start or call.created_at
        return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")

    @admin.display(description=_("Anrufer:in"), ordering="from_number")
    def caller(self, call: Call) -> str:
        return call.from_number or str(_("unterdrückt"))

    @admin.display(description=_("Angerufen"))
    def called(self, call: Call) -> str:
        return call.to_number or "–"

    @admin.display(description=_("Dauer"), ordering="duration_ms")
    def duration(self, call: Call) -> str:
        return duration_text(call.duration_ms)

    @admin.display(description=_("Status"), ordering="status")
    def status_label(self, call: Call) -> str:
        return str(STATUS_LABELS.get(call.status, call.status or "–"))

    @admin.display(description=_("Stimmung"), ordering="sentiment")
    def sentiment_label(self, call: Call) -> object:
        if not call.sentiment:
            return "–"
        label = SENTIMENT_LABELS.get(call.sentiment, call.sentiment)
        return badge(str(label), SENTIMENT_VARIANTS.get(call.sentiment, "is-muted"))

    @admin.display(description=_("Ergebnis"))
    def outcome(self, call: Call) -> str:
        if call.successful is None:
            return "–"
        return str(_("erfolgreich") if call.successful else _("nicht erfolgreich"))

    @admin.display(description=_("Zusammenfassung"))
    def summary_text(self, call: Call) -> str:
        return call.summary or "–"

    @admin.display(description=_("Transkript"))
    def transcript_text(self, call: Call) -> object:
        if call.personal_data_removed_at is not None:
            return str(_("Nach der Aufbewahrungsfrist gelöscht."))
        return format_html('<div class="pb-transcript">{}</div>', call.transcript or "–")
