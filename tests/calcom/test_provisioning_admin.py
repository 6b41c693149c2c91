"""The Cal.com admin: the API key is write-only; maps and history are read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from phasebook.calcom.models import CalcomConnection
from tests.factories import make_company

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_the_api_key_can_be_set_but_is_never_shown(admin_client: Client) -> None:
    company = make_company("salon-a")
    connection = CalcomConnection(company=company)
    connection.api_key = "cal_live_secret_key"
    connection.save()
    url = f"/admin/calcom/calcomconnection/{connection.pk}/change/"

    page = admin_client.get(url)
    admin_client.post(
        url,
        {
            "company": company.pk,
            "base_url": "https://api.cal.com",
            "team_id": "7",
            "is_enabled": "on",
            "bookings_api_version": "2024-08-13",
            "slots_api_version": "2024-09-04",
            "event_types_api_version": "2024-06-14",
            "new_api_key": "cal_live_new_key",
            "new_webhook_secret": "",
        },
    )

    assert page.status_code == 200
    assert "cal_live_secret_key" not in page.content.decode()
    connection.refresh_from_db()
    assert connection.api_key == "cal_live_new_key"
    assert connection.team_id == 7


def test_maps_and_history_cannot_be_added_in_the_admin(admin_client: Client) -> None:
    assert admin_client.get("/admin/calcom/calcomeventmap/").status_code == 200
    assert admin_client.get("/admin/calcom/calcomeventmapchange/").status_code == 200
    assert admin_client.get("/admin/calcom/calcomeventmap/add/").status_code == 403
