"""A salon user signed in to the portal (tests/support/portal.py); bookings are made through
the booking service (tests/support/booking.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from tests.support.portal import salon_user


@pytest.fixture
def portal(salon: SimpleNamespace) -> Client:
    """The test client, signed in as a member of `salon`."""
    client = Client()
    client.force_login(salon_user(salon.company))
    return client
