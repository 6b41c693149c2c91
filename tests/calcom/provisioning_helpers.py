"""A salon with the seed's three colour services and two stylists, connected to the emulator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from phasebook.calcom.client import CalcomClient
from phasebook.calcom.connection import client_for
from phasebook.calcom.models import CalcomConnection
from phasebook.calcom_emulator import CalcomEmulator
from phasebook.demo.salon import SERVICES
from phasebook.salons.models import Company, Service, Staff
from tests.factories import make_salon
from tests.support.emulator import TEST_TIMEOUTS

TEAM_ID = 42
SEED_COLOURS = ("Ansatzfärbung", "Ansatz + Längenausgleich", "Komplette Umfärbung/Blondierung")


@dataclass
class CalcomSalon:
    company: Company
    services: list[Service]
    stylists: list[Staff]
    emulator: CalcomEmulator
    url: str

    def client(self) -> CalcomClient:
        return client_for(self.company, timeouts=TEST_TIMEOUTS)

    def team_event_type_ids(self) -> set[int]:
        return {et.id for et in self.emulator.state.event_types.values() if et.team_id == TEAM_ID}


def colour_salon(emulator: CalcomEmulator, url: str, slug: str = "salon-a") -> CalcomSalon:
    # A fresh key per salon: the process-wide rate limiter counts per key across tests.
    owner, api_key = emulator.seed_user(f"{slug}-owner", api_key=f"cal_test_{uuid.uuid4().hex}")
    emulator.state.set_team_role(TEAM_ID, owner.id, "OWNER")
    salon = make_salon(slug, {name: (name, SERVICES[name]) for name in SEED_COLOURS})
    stylists = [salon.anna, salon.ben]
    for stylist in stylists:
        stylist.calcom_user_id = emulator.seed_user(stylist.name.lower())[0].id
        stylist.save(update_fields=["calcom_user_id"])
    connection = CalcomConnection(company=salon.company, base_url=url, team_id=TEAM_ID)
    connection.api_key = api_key
    connection.save()
    return CalcomSalon(salon.company, salon.services, stylists, emulator, url)
