"""An anonymous visitor may use no model, and is told so without a query (the login page
asks for every model of the sidebar); the login page renders, and every list sends the
visitor to it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse

from phasebook.salons.tenancy import may_use
from tests.tenancy.world import Registered, registered

REGISTERED = registered()


@pytest.mark.parametrize("entry", REGISTERED, ids=str)
def test_an_anonymous_visitor_may_use_no_model_and_no_query_says_so(
    entry: Registered, django_assert_num_queries: Any, db: None
) -> None:
    request = RequestFactory().get("/admin/login/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert may_use(entry.model, request.user) is False
        assert entry.model_admin.has_module_permission(request) is False


def test_the_login_page_renders(client: Client, db: None) -> None:
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()
    assert 'name="password"' in response.content.decode()


@pytest.mark.parametrize("entry", REGISTERED, ids=str)
def test_every_list_sends_an_anonymous_visitor_to_the_login_page(
    entry: Registered, client: Client, db: None
) -> None:
    changelist = entry.url("changelist")
    response = client.get(changelist)
    login = reverse(f"{entry.site.name}:login")
    assert (response.status_code, response.url) == (302, f"{login}?next={changelist}")
