"""Anrufe in the portal: the call list and the call page, read-only (calls are Retell's
record; the phone agent writes them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from phasebook.booking.models import Appointment, AppointmentPhase
from phasebook.common.admin import ReadOnlyTenantAdmin
from phasebook.phone.models import Call, CallAppointment
from phasebook.portal.badges import badge
from phasebook.portal.detail import phase_rows

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
    list_display = ["time", "caller", "duration", "status_label", "sentiment_label", "booked"]
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
        (_("Gebuchte Segmente"), {"fields": ["booked_segments"]}),
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
        "booked_segments",
        "transcript_text",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Call]:
        # A call's appointments, their services and phases: three queries for the whole page.
        links = CallAppointment.objects.select_related("appointment__service").prefetch_related(
            Prefetch("appointment__phases", AppointmentPhase.objects.order_by("sequence_order"))
        )
        return super().get_queryset(request).prefetch_related(Prefetch("appointment_links", links))

    def _appointments(self, call: Call) -> list[Appointment]:
        """Each appointment the call touched, once, in the order it did."""
        seen: dict[Any, Appointment] = {}
        for link in call.appointment_links.all():
            seen.setdefault(link.appointment_id, link.appointment)
        return list(seen.values())

    @admin.display(description=_("Termine"))
    def booked(self, call: Call) -> str:
        labels = []
        for appointment in self._appointments(call):
            phases = [phase for phase in appointment.phases.all() if phase.staff_required]
            name = appointment.service.name
            composite = len(appointment.phases.all()) > 1
            labels.append(
                _("%(service)s (%(count)d Segmente)") % {"service": name, "count": len(phases)}
                if composite
                else name
            )
        return ", ".join(labels) or "–"

    @admin.display(description=_("Gebuchte Segmente"))
    def booked_segments(self, call: Call) -> SafeString:
        rows = [
            (appointment, phase_rows(list(appointment.phases.all())))
            for appointment in self._appointments(call)
        ]
        return SafeString(render_to_string("portal/call_segments.html", {"appointments": rows}))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
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
