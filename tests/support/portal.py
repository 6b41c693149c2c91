"""A salon user as the portal signs one in."""

from __future__ import annotations

from django.contrib.auth.models import Permission, User

from phasebook.salons.models import Company, Membership

PORTAL_APPS = ["salons", "booking", "calsync", "phone"]


def salon_user(company: Company, username: str = "owner") -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=PORTAL_APPS))
    Membership.objects.create(user=user, company=company)
    return user
