"""A model that does not say how it belongs to a salon (not in tenancy.COMPANY_PATHS),
registered with the project's admin base class on a throwaway site: a salon user with
every permission cannot see it at all, a superuser can. Tenancy refuses by default."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import path

import phasebook.urls
from phasebook.common.admin import TenantAdmin, TenantAdminSite
from phasebook.salons.models import Company
from phasebook.salons.tenancy import company_path
from tests.tenancy.world import request_of

throwaway = TenantAdminSite(name="throwaway")
throwaway.register(ContentType, TenantAdmin)

urlpatterns = [path("throwaway/", throwaway.urls), *phasebook.urls.urlpatterns]
CHANGELIST = "/throwaway/contenttypes/contenttype/"


@pytest.fixture(autouse=True)
def _serve_the_throwaway_site(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


def test_the_model_says_nothing_about_salons() -> None:
    assert company_path(ContentType) is None


def test_a_salon_user_cannot_see_a_model_without_a_company_path(
    world: SimpleNamespace, owner_client: Client
) -> None:
    model_admin = throwaway._registry[ContentType]
    request = request_of(world.owner)
    assert world.owner.has_perm("contenttypes.view_contenttype")  # Django would let them
    assert not model_admin.has_module_permission(request)
    assert not model_admin.has_view_permission(request)
    assert model_admin.get_queryset(request).count() == 0
    assert throwaway.get_app_list(request) == []
    assert owner_client.get(CHANGELIST).status_code == 403


def test_a_superuser_sees_a_model_without_a_company_path(superuser_client: Client) -> None:
    response = superuser_client.get(CHANGELIST)
    assert response.status_code == 200
    listed = {row.pk for row in response.context["cl"].result_list}
    assert ContentType.objects.get_for_model(Company).pk in listed
