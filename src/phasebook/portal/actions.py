"""The detail page's actions, each a page that asks before it changes anything and then
calls one service function: reschedule (a day → its free alternatives → confirm), cancel
(with a reason, once), retry a failed sync, verify in Cal.com now (read back, shown)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phasebook.booking.access import access_appointment
from phasebook.booking.availability import Caller, find_slots, qualified_staff
from phasebook.booking.errors import BookingError, NotFound
from phasebook.booking.events import Actor
from phasebook.booking.models import Appointment, AppointmentPhase
from phasebook.booking.services import cancel_appointment, reschedule_appointment
from phasebook.booking.texts import translated
from phasebook.calcom.schemas import Booking
from phasebook.calsync.manual import retry_appointment
from phasebook.calsync.phase_sync import Progress
from phasebook.calsync.sync import verify_appointment
from phasebook.portal.views import page, salon_for
from phasebook.salons.models import Company
from phasebook.scheduling.intervals import Interval

ALTERNATIVES_SHOWN = 24


@dataclass(frozen=True)
class VerificationRow:
    """One phase as Cal.com answered when read back."""

    phase: AppointmentPhase | None
    booking: Booking | None  # the live booking that carries the phase, if any
    created: bool  # it was missing and has just been created
    cancelled: int  # stale or duplicate bookings cancelled on the way
    error: str


def verification_row(progress: Progress, phases: dict[int, AppointmentPhase]) -> VerificationRow:
    return VerificationRow(
        phase=phases.get(progress.job.phase_id),
        booking=progress.kept,
        created=progress.created,
        cancelled=len(progress.cancelled),
        error=str(progress.error) if progress.error else "",
    )


def _appointment(salon: Company, appointment_id: Any) -> Appointment:
    try:
        return access_appointment(salon, appointment_id)
    except NotFound as error:  # another salon's appointment looks exactly like a missing one
        raise Http404 from error


def _detail(appointment: Appointment) -> HttpResponse:
    return redirect("admin:booking_appointment_change", appointment.pk)


def _day(raw: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return fallback


def alternatives(
    salon: Company, appointment: Appointment, day: date, any_stylist: bool, now: datetime
) -> list[tuple[datetime, Any]]:
    """The starts on `day` the booking predicate allows for this appointment (moving it, so
    its own time counts as free), with the stylist for each: its own, or any qualified."""
    staff = (
        list(qualified_staff(salon, appointment.service)) if any_stylist else [appointment.staff]
    )
    midnight = datetime.combine(day, time(), tzinfo=salon.zone)
    window = Interval(midnight, midnight + timedelta(days=1))
    slots = find_slots(
        salon, appointment.service, window, staff, now, Caller.of(appointment), appointment
    )
    names = {str(member.id): member for member in staff}
    return [(slot.start, names[slot.staff_id]) for slot in slots][:ALTERNATIVES_SHOWN]


def reschedule(request: HttpRequest, appointment_id: str) -> HttpResponse:
    salon = salon_for(request, "booking.change_appointment")
    appointment = _appointment(salon, appointment_id)
    if not appointment.is_live:
        messages.warning(
            request, _("Ein stornierter oder abgelaufener Termin kann nicht verschoben werden.")
        )
        return _detail(appointment)
    if request.method == "POST":
        moved = _move(request, salon, appointment)
        if moved is not None:
            return moved
    today = timezone.localtime(appointment.start).date()
    day = _day(request.GET.get("date"), today)
    any_stylist = request.GET.get("staff") == "any"
    return page(
        request,
        "portal/reschedule.html",
        _("Termin verschieben"),
        appointment=appointment,
        day=day,
        any_stylist=any_stylist,
        slots=alternatives(salon, appointment, day, any_stylist, timezone.now()),
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
    )


def _move(request: HttpRequest, salon: Company, appointment: Appointment) -> HttpResponse | None:
    # The choice is "<start with offset> <stylist id>", one of the offered alternatives.
    raw_start, _space, staff_id = request.POST.get("choice", "").partition(" ")
    try:
        start = datetime.fromisoformat(raw_start)
    except ValueError:
        messages.error(request, _("Bitte eine der freien Zeiten wählen."))
        return None
    old = timezone.localtime(appointment.start)
    try:
        moved = reschedule_appointment(
            salon, appointment.pk, start, staff_id or None, actor=Actor.admin(request.user)
        )
    except BookingError as error:
        messages.error(request, translated(error.message))
        return None
    new = timezone.localtime(moved.start)
    messages.success(
        request,
        _("Verschoben von %(old)s auf %(new)s (%(staff)s).")
        % {
            "old": old.strftime("%d.%m.%Y %H:%M"),
            "new": new.strftime("%d.%m.%Y %H:%M"),
            "staff": moved.staff.name,
        },
    )
    return _detail(moved)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Grund"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("z. B. „Kundin hat abgesagt“ – steht danach am Termin."),
    )


def cancel(request: HttpRequest, appointment_id: str) -> HttpResponse:
    salon = salon_for(request, "booking.change_appointment")
    appointment = _appointment(salon, appointment_id)
    form = CancelForm(request.POST or None)
    if appointment.is_live and request.method == "POST" and form.is_valid():
        cancel_appointment(
            salon, appointment.pk, form.cleaned_data["reason"], actor=Actor.admin(request.user)
        )
        messages.success(request, _("Der Termin ist storniert."))
        return _detail(appointment)
    return page(
        request,
        "portal/cancel.html",
        _("Termin stornieren"),
        appointment=appointment,
        form=form,
    )


def retry_sync(request: HttpRequest, appointment_id: str) -> HttpResponse:
    """POST only (the detail page's button asks first): retry a failed or given-up sync."""
    salon = salon_for(request, "booking.change_appointment")
    appointment = _appointment(salon, appointment_id)
    if request.method == "POST":
        retry_appointment(appointment)
        messages.success(request, _("Der Abgleich mit Cal.com läuft erneut."))
        return _detail(appointment)
    return page(request, "portal/retry_sync.html", _("Sync wiederholen"), appointment=appointment)


def verify_sync(request: HttpRequest, appointment_id: str) -> HttpResponse:
    """Read every booking of the appointment back from Cal.com now and show what was found.
    No transaction is open here: the calls happen outside any (invariant 4)."""
    salon = salon_for(request, "booking.view_appointment")
    appointment = _appointment(salon, appointment_id)
    if request.method != "POST":
        return page(
            request, "portal/verify_sync.html", _("In Cal.com prüfen"), appointment=appointment
        )
    progresses = verify_appointment(appointment.pk)
    phases = {phase.pk: phase for phase in appointment.phases.all()}
    return page(
        request,
        "portal/verify_sync.html",
        _("In Cal.com prüfen"),
        appointment=appointment,
        results=[verification_row(progress, phases) for progress in progresses],
        checked=True,
    )
