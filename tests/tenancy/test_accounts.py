"""Accounts belong to salons (owners pick colleagues for memberships from them), but only
superusers administer them: whoever may change an account may make it a superuser's."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth.models import User
from django.test import Client


def test_a_salon_user_cannot_make_themselves_a_superuser(
    world: SimpleNamespace, owner_client: Client
) -> None:
    assert world.owner.has_perm("auth.change_user")  # Django alone would let them
    page = f"/admin/auth/user/{world.owner.pk}/change/"
    assert owner_client.get(page).status_code == 403
    response = owner_client.post(
        page, {"username": "owner", "is_staff": "on", "is_active": "on", "is_superuser": "on"}
    )
    assert response.status_code == 403
    assert User.objects.get(pk=world.owner.pk).is_superuser is False


def test_an_owner_still_picks_colleagues_of_their_salon_for_a_membership(
    world: SimpleNamespace, owner_client: Client
) -> None:
    offered = owner_client.get("/admin/salons/membership/add/").context["adminform"].form
    colleagues = set(offered.fields["user"].queryset.values_list("username", flat=True))
    assert colleagues == {"owner", "salon-a-member", "salon-a-colleague"}
