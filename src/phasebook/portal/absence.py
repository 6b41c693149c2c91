"""Ausfall eintragen: a stylist is out. The page shows what the absence breaks and the plan
that repairs it (absences.services.plan_absence, nothing written); a person unticks what
they want to settle themselves and applies (apply_absence: the absence is recorded, every
step goes through the booking path)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phasebook.absences.rendering import AbsenceOut, PlanEntryOut, render_applied, render_plan
from phasebook.absences.services import Result, apply_absence, plan_absence
from phasebook.booking.errors import BookingError
from phasebook.booking.events import Actor
from phasebook.booking.texts import translated
from phasebook.portal.views import page, salon_for, stylist_of
from phasebook.scheduling.replan import Action

# The plan's and the outcome's words, as the salon reads them.
ACTION_LABELS = {
    Action.SAME_TIME: gettext_lazy("gleiche Zeit, andere:r Mitarbeiter:in"),
    Action.NEW_TIME: gettext_lazy("neue Zeit"),
    Action.CALL: gettext_lazy("anrufen: nichts passt"),
    Action.RELEASE_HOLD: gettext_lazy("Reservierung freigeben"),
    Action.LEAVE: gettext_lazy("hat schon begonnen: selbst entscheiden"),
}
RESULT_LABELS = {
    Result.MOVED: gettext_lazy("verschoben"),
    Result.RELEASED: gettext_lazy("freigegeben"),
    Result.SKIPPED: gettext_lazy("ausgelassen"),
    Result.CHANGED: gettext_lazy("inzwischen geändert, unverändert gelassen"),
    Result.REFUSED: gettext_lazy("abgelehnt, unverändert gelassen"),
    Result.LEFT: gettext_lazy("unverändert"),
}


def labelled(result: AbsenceOut) -> list[tuple[PlanEntryOut, str, str]]:
    return [
        (
            entry,
            str(ACTION_LABELS[entry.action]),
            str(RESULT_LABELS[entry.outcome.result]) if entry.outcome else "",
        )
        for entry in result.entries
    ]


class AbsenceForm(forms.Form):
    start = forms.DateTimeField(
        label=gettext_lazy("Von"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end = forms.DateTimeField(
        label=gettext_lazy("Bis"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=gettext_lazy("Grund"), max_length=200, required=False)


def absence(request: HttpRequest, staff_id: str) -> HttpResponse:
    salon = salon_for(request, "salons.add_absence")
    stylist = stylist_of(salon, staff_id)
    form = AbsenceForm(request.POST or None)
    context: dict[str, Any] = {"stylist": stylist, "form": form}
    if request.method == "POST" and form.is_valid():
        start, end = _aware(form.cleaned_data["start"]), _aware(form.cleaned_data["end"])
        reason = form.cleaned_data["reason"]
        try:
            if request.POST.get("apply") and request.POST.get("plan_id"):
                applied = apply_absence(
                    salon,
                    stylist.pk,
                    start,
                    end,
                    reason,
                    plan_id=request.POST["plan_id"],
                    # An unticked entry is one the salon settles itself.
                    skip=set(request.POST.getlist("entry")) - set(request.POST.getlist("keep")),
                    actor=Actor.admin(request.user),
                )
                context["result"] = render_applied(applied)
            else:
                context["result"] = render_plan(plan_absence(salon, stylist.pk, start, end, reason))
        except BookingError as error:
            form.add_error(None, translated(error.message))
        if "result" in context:
            context["rows"] = labelled(context["result"])
    return page(
        request,
        "portal/absence.html",
        _("Ausfall eintragen: %(staff)s") % {"staff": stylist.name},
        **context,
    )


def _aware(moment: datetime) -> datetime:
    # The form's fields read wall-clock time in the active zone: the salon's (middleware).
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
