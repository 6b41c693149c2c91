"""Point the demo salon at a local Cal.com emulator and provision its event types.

The emulator keeps everything in memory, so every demo start meets an empty Cal.com: the
stylists get new user ids and the stored maps point at event types that no longer exist.
Provisioning notices that and creates them again, so a booking made in the demo is synced
without any further step.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.utils.text import slugify

from phasebook.calcom.connection import client_for
from phasebook.calcom.models import CalcomConnection
from phasebook.calcom.provisioning import ProvisionResult, provision
from phasebook.calcom_emulator import CalcomEmulator
from phasebook.salons.models import Company

DEMO_TEAM_ID = 1


@dataclass(frozen=True)
class DemoCalcom:
    url: str
    api_key: str
    provisioned: ProvisionResult

    def curl_example(self) -> str:
        return (
            f"curl -H 'Authorization: Bearer {self.api_key}' "
            f"-H 'cal-api-version: 2024-08-13' {self.url}/v2/bookings"
        )


def connect_demo_calcom(
    company: Company, emulator: CalcomEmulator, url: str, api_key: str | None
) -> DemoCalcom:
    """Seed the salon's owner and stylists in the emulator, connect, provision."""
    key = api_key or f"cal_test_{secrets.token_hex(16)}"
    owner = emulator.state.user_for_api_key(key)
    if owner is None:
        owner, _ = emulator.seed_user(company.slug, api_key=key, time_zone=company.time_zone)
    # As the team's admin the owner's key lists the stylists' phase bookings, which is
    # what reconciliation needs and what the printed curl command shows.
    emulator.state.add_team_admin(DEMO_TEAM_ID, owner.id)
    seed_stylists(company, emulator)
    connection, _ = CalcomConnection.objects.get_or_create(company=company)
    connection.base_url = url
    connection.team_id = DEMO_TEAM_ID
    connection.api_key = key
    connection.is_enabled = True
    connection.save()
    with client_for(company) as client:
        result = provision(company, client, DEMO_TEAM_ID)
    return DemoCalcom(url, key, result)


def seed_stylists(company: Company, emulator: CalcomEmulator) -> None:
    for stylist in company.staff.filter(is_active=True):
        username = slugify(stylist.name)
        user = next((u for u in emulator.state.users.values() if u.username == username), None)
        if user is None:
            user, _ = emulator.seed_user(username, time_zone=company.time_zone)
        stylist.calcom_user_id = user.id
        stylist.calcom_username = username
        stylist.save(update_fields=["calcom_user_id", "calcom_username"])
