"""The inbound call webhook answers in Retell's documented shape, string values only."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from phasebook.booking.models import Appointment, AppointmentStatus
from tests.factories import make_customer

INBOUND = {
    "event": "call_inbound",
    "call_inbound": {
        "agent_id": "agent_1",
        "from_number": "+4915112345678",
        "to_number": "+4930123456",
    },
}


def _variables(response: object) -> dict[str, str]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"call_inbound"}
    variables = body["call_inbound"]["dynamic_variables"]
    assert all(isinstance(value, str) for value in variables.values())
    return variables


def test_an_unknown_caller_gets_the_salon_and_todays_date(retell_salon: SimpleNamespace) -> None:
    response = retell_salon.retell.post("inbound", INBOUND)
    assert response.status_code == 200
    variables = _variables(response)
    today = timezone.now().astimezone(retell_salon.company.zone).date()
    assert variables["today_date"] == today.isoformat()
    assert variables["salon_name"] == retell_salon.company.name
    assert variables["opening_hours"] == "Montag bis Samstag von 9 bis 18 Uhr, Sonntag geschlossen."
    assert (variables["known_customer"], variables["customer_name"]) == ("nein", "")
    assert response.json()["call_inbound"]["override_agent_id"] == "agent_1"


def test_a_known_caller_is_greeted_with_name_and_next_appointment(
    retell_salon: SimpleNamespace,
) -> None:
    customer = make_customer(retell_salon.company, "Paula Berg", "+4915112345678")
    start = (timezone.now() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    Appointment.objects.create(
        company=retell_salon.company,
        customer=customer,
        service=retell_salon.cut,
        staff=retell_salon.anna,
        start=start,
        end=start + timedelta(minutes=30),
        status=AppointmentStatus.BOOKED,
    )
    variables = _variables(retell_salon.retell.post("inbound", INBOUND))
    assert (variables["known_customer"], variables["customer_name"]) == ("ja", "Paula Berg")
    assert variables["next_appointment"].startswith("Herrenhaarschnitt am ")


@pytest.mark.parametrize("number", ["anonymous", "", None, "+49 15112345678"])
def test_a_withheld_or_other_number_is_no_known_customer(
    retell_salon: SimpleNamespace, number: str | None
) -> None:
    make_customer(retell_salon.company, "Paula Berg", "+4915112345679")
    body = {
        "event": "call_inbound",
        "call_inbound": {"from_number": number, "to_number": "+4930123456"},
    }
    assert _variables(retell_salon.retell.post("inbound", body))["known_customer"] == "nein"


def test_another_salons_customer_is_not_known_here(
    retell_salon: SimpleNamespace, retell_other_salon: SimpleNamespace
) -> None:
    make_customer(retell_other_salon.company, "Paula Berg", "+4915112345678")
    assert _variables(retell_salon.retell.post("inbound", INBOUND))["known_customer"] == "nein"


def test_an_unreadable_inbound_body_is_400(retell_salon: SimpleNamespace) -> None:
    assert retell_salon.retell.post("inbound", {"event": "call_inbound"}).status_code == 400
