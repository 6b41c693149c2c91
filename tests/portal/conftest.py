"""A salon user signed in to the portal, and bookings made through the booking service."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from phasebook.booking.customers import CustomerDetails
from phasebook.booking.models import Appointment
from phasebook.booking.services import BookingRequest, book_appointment
from phasebook.salons.models import Company, Membership, Service, Staff
from tests.factories import ACTOR, next_weekday

PORTAL_APPS = ["salons", "booking", "calsync", "phone"]


def salon_user(company: Company, username: str = "owner") -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=PORTAL_APPS))
    Membership.objects.create(user=user, company=company)
    return user


@pytest.fixture
def portal(salon: SimpleNamespace) -> Client:
    """The test client, signed in as a member of `salon`."""
    client = Client()
    client.force_login(salon_user(salon.company))
    return client


def a_wednesday(hour: int = 10, minute: int = 0) -> datetime:
    return next_weekday(timezone.now(), weekday=2, hour=hour, minute=minute)


def book(
    company: Company, service: Service, stylist: Staff, start: datetime, customer: str
) -> Appointment:
    request = BookingRequest(service.pk, start, CustomerDetails(customer), str(stylist.pk))
    return book_appointment(company, request, actor=ACTOR)
