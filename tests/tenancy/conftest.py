"""Salon A and salon B, fully built, and people signed in to the admin: an owner of A, a
member of A who is no owner, and a superuser. Salon users hold every model permission, so
whatever they are refused is refused by tenancy, not by Django's permissions."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from phasebook.salons.models import Membership
from tests.tenancy.world import build_salon


def with_every_permission(user: User) -> User:
    user.user_permissions.set(Permission.objects.all())
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(db: None) -> SimpleNamespace:
    """world.a and world.b (build_salon); world.owner owns salon A, world.member works there."""
    a, b = build_salon("salon-a"), build_salon("salon-b")
    owner = with_every_permission(User.objects.create_user("owner", is_staff=True))
    Membership.objects.create(user=owner, company=a.company, is_owner=True)
    member = with_every_permission(a.rows["auth.User"])
    return SimpleNamespace(a=a, b=b, owner=owner, member=member)


@pytest.fixture
def owner_client(world: SimpleNamespace) -> Client:
    return signed_in(world.owner)


@pytest.fixture
def member_client(world: SimpleNamespace) -> Client:
    return signed_in(world.member)


@pytest.fixture
def superuser_client(db: None) -> Client:
    return signed_in(User.objects.create_superuser("root"))
