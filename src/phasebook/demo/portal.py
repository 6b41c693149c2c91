"""What the portal shows in the demo: a salon user and a booked day to look at."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Permission, User
from django.utils import timezone

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.errors import BookingError
from phasebook.booking.events import Actor
from phasebook.booking.models import Appointment, AppointmentSource
from phasebook.booking.services import BookingRequest, book_appointment
from phasebook.salons.models import Company, Membership, Service, Staff

SALON_USER = "salon"
# (stylist index, service, local start, customer): a colour whose Einwirkzeit holds a cut.
# The second stylist stays free from 9:45 to 13:00, so that a caller can still book an
# Ansatzfärbung "morgen um 10" (the phone agent's scripted call, issue 11).
DEMO_DAY = [
    (0, "Ansatzfärbung", time(10, 0), "Maria Berger", "+4917612345601"),
    (0, "Herrenhaarschnitt", time(10, 30), "Paul Klaus", "+4917612345602"),
    (1, "Damenhaarschnitt", time(9, 0), "Lea Hoffmann", "+4917612345603"),
    (1, "Dauerwelle", time(13, 0), "Sabine Vogel", "+4917612345604"),
]


def ensure_salon_user(company: Company, password: str) -> None:
    """A member of the demo salon who sees only it, with the portal's permissions."""
    user, _ = User.objects.get_or_create(username=SALON_USER, defaults={"is_staff": True})
    user.set_password(password)
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["salons", "booking", "calsync", "phone"]
        )
    )
    Membership.objects.get_or_create(user=user, company=company)


def next_open_day(company: Company, after: date) -> date:
    day = after + timedelta(days=1)
    while not company.weekly_opening_hours.on(day):
        day += timedelta(days=1)
    return day


def book_demo_day(company: Company) -> date:
    """Book DEMO_DAY on the next open day through the booking service, once."""
    zone = company.zone
    day = next_open_day(company, timezone.now().astimezone(zone).date())
    midnight = datetime.combine(day, time(), tzinfo=zone)
    already = Appointment.objects.filter(
        company=company,
        source=AppointmentSource.DEMO,
        start__gte=midnight,
        start__lt=midnight + timedelta(days=1),
    )
    if already.exists():
        return day
    stylists = list(Staff.objects.filter(company=company).order_by("name"))
    for index, service_name, start, name, phone in DEMO_DAY:
        service = Service.objects.get(company=company, name=service_name)
        request = BookingRequest(
            service_id=service.pk,
            start=datetime.combine(day, start, tzinfo=zone),
            customer=CustomerDetails(name, phone),
            staff_id=str(stylists[index].id),
            source=AppointmentSource.DEMO,
        )
        try:
            book_appointment(company, request, actor=Actor.system("demo"))
        except BookingError:
            continue  # e.g. a holiday: the demo still starts
    return day
