"""The portal's own pages inside the admin: the start page, the Terminbuch and "Neuer Termin".

Views are thin: they resolve the salon (tenant) of the signed-in user, read the request into
plain values, ask one module (daybook, options, the booking service) and render.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.errors import BookingError
from phasebook.booking.events import Actor
from phasebook.booking.models import AppointmentSource
from phasebook.booking.services import BookingRequest, book_appointment
from phasebook.booking.texts import translated
from phasebook.calsync.manual import retry_appointment
from phasebook.portal.daybook import load_day
from phasebook.portal.forms import NewAppointmentForm
from phasebook.portal.options import service_options
from phasebook.portal.salon import choose_salon, salon_of
from phasebook.portal.sync_health import appointments_to_retry, load_sync_state
from phasebook.salons.models import Company, Staff
from phasebook.salons.tenancy import companies_of, of_company


def start_page(request: HttpRequest) -> HttpResponse:
    """Salon users start in the Terminbuch; without a salon, the admin's own index."""
    if salon_of(request) is not None and request.user.has_perm("booking.view_appointment"):
        return redirect("portal:daybook")
    return admin.site.index(request)


def switch_salon(request: HttpRequest, company_id: int) -> HttpResponse:
    """Show another of the user's salons (only theirs: anything else is not found)."""
    company = companies_of(request.user).filter(pk=company_id).first()
    if company is None:
        raise Http404
    choose_salon(request, company)
    return redirect("portal:start")


def salon_for(request: HttpRequest, permission: str) -> Company:
    salon = salon_of(request)
    if salon is None or not request.user.has_perm(permission):
        raise PermissionDenied
    return salon


def page(request: HttpRequest, template: str, title: str, **context: Any) -> TemplateResponse:
    return TemplateResponse(
        request, template, {**admin.site.each_context(request), "title": title, **context}
    )


def _day_param(request: HttpRequest, today: date) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return today


def daybook(request: HttpRequest) -> TemplateResponse:
    salon = salon_for(request, "booking.view_appointment")
    now = timezone.now()
    today = now.astimezone(salon.zone).date()
    day = _day_param(request, today)
    staff = list(_active_staff(salon).order_by("name", "id"))
    shown = load_day(salon, day, now, staff)
    picked = request.GET.get("staff") or (str(staff[0].id) if staff else "")
    week_start = day - timedelta(days=day.weekday())
    return page(
        request,
        "portal/daybook.html",
        _("Terminbuch"),
        day=shown,
        today=today,
        picked=picked,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        previous_week=day - timedelta(days=7),
        next_week=day + timedelta(days=7),
        week=[week_start + timedelta(days=offset) for offset in range(7)],
        can_book=request.user.has_perm("booking.add_appointment"),
        sync=load_sync_state(salon),
    )


def _active_staff(salon: Company) -> QuerySet[Staff]:
    return of_company(Staff.objects, salon).filter(is_active=True)


def stylist_of(salon: Company, raw: str) -> Staff:
    try:
        return _active_staff(salon).get(pk=raw)
    except (Staff.DoesNotExist, ValidationError) as error:  # ValidationError: not a UUID
        raise Http404 from error


def _start_param(raw: str, salon: Company) -> datetime:
    try:
        start = datetime.fromisoformat(raw)
    except ValueError as error:
        raise Http404 from error
    return start if start.tzinfo is not None else start.replace(tzinfo=salon.zone)


def new_appointment(request: HttpRequest) -> HttpResponse:
    salon = salon_for(request, "booking.add_appointment")
    source = request.POST if request.method == "POST" else request.GET
    stylist = stylist_of(salon, source.get("staff", ""))
    start = _start_param(source.get("start", ""), salon)
    options = service_options(salon, stylist, start, timezone.now())
    # Every service is a choice: the booking service decides, also about what changed since.
    form = NewAppointmentForm(request.POST or None, services=[option.service for option in options])
    if request.method == "POST" and form.is_valid():
        booked = _book(request, salon, stylist, start, form)
        if booked is not None:
            return booked
    return page(
        request,
        "portal/new_appointment.html",
        _("Neuer Termin"),
        stylist=stylist,
        start=start,
        options=options,
        form=form,
        back=_daybook_url(start.astimezone(salon.zone).date(), stylist),
    )


def _daybook_url(day: date, stylist: Staff) -> str:
    query = urlencode({"date": day.isoformat(), "staff": str(stylist.id)})
    return f"{reverse('portal:daybook')}?{query}"


def _book(
    request: HttpRequest, salon: Company, stylist: Staff, start: datetime, form: NewAppointmentForm
) -> HttpResponse | None:
    data = form.cleaned_data
    booking = BookingRequest(
        service_id=int(data["service"]),
        start=start,
        customer=CustomerDetails(data["name"], data["phone"], data["email"]),
        staff_id=str(stylist.id),
        source=AppointmentSource.ADMIN,
    )
    try:
        appointment = book_appointment(salon, booking, actor=Actor.admin(request.user))
    except BookingError as error:
        form.add_error(None, translated(error.message))
        return None
    local = appointment.start.astimezone(salon.zone)
    messages.success(
        request,
        _("Gebucht: %(service)s am %(day)s um %(time)s bei %(staff)s.")
        % {
            "service": appointment.service.name,
            "day": local.strftime("%d.%m.%Y"),
            "time": local.strftime("%H:%M"),
            "staff": stylist.name,
        },
    )
    return redirect("admin:booking_appointment_change", appointment.pk)


def sync_health(request: HttpRequest) -> HttpResponse:
    salon = salon_for(request, "booking.view_appointment")
    if request.method == "POST":
        if not request.user.has_perm("booking.change_appointment"):
            raise PermissionDenied
        retried = appointments_to_retry(salon)
        for appointment in retried:
            retry_appointment(appointment)
        messages.success(
            request, _("%(count)d Termine werden erneut synchronisiert.") % {"count": len(retried)}
        )
        return redirect("portal:sync_health")
    return page(request, "portal/sync_health.html", _("Sync-Zustand"), sync=load_sync_state(salon))
