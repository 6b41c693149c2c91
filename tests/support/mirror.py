"""The emulated Cal.com side of a salon: one team, one host per stylist, one single-host event
type per (service, staff-required segment, stylist), and the company's connection and maps.
Used by the calsync, monitoring and browser tests and by bench/sync_parallel.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from phasebook.calcom.models import CalcomConnection, CalcomEventMap
from phasebook.calcom_emulator import CalcomEmulator
from phasebook.calcom_emulator.state import Booking as EmulatedBooking
from phasebook.salons.models import Company, Service, Staff

TEAM_ID = 77


@dataclass
class Mirror:
    """The emulated Cal.com side of one salon."""

    emulator: CalcomEmulator
    url: str
    api_key: str
    admin_id: int
    hosts: dict[str, int] = field(default_factory=dict)  # staff id -> Cal.com user id

    def live_bookings(self) -> list[EmulatedBooking]:
        return [b for b in self.emulator.state.bookings.values() if b.status == "accepted"]

    def live_for_phase(self, phase_id: int) -> list[EmulatedBooking]:
        return [
            b for b in self.live_bookings() if b.metadata.get("phasebook_phase_id") == str(phase_id)
        ]


def connect_salon(
    emulator: CalcomEmulator, url: str, company: Company, stylists: list[Staff]
) -> Mirror:
    admin, api_key = emulator.seed_user(f"{company.slug}-owner")
    emulator.state.add_team_admin(TEAM_ID, admin.id)
    mirror = Mirror(emulator, url, api_key, admin.id)
    for stylist in stylists:
        host, _ = emulator.seed_user(f"{company.slug}-{stylist.name.lower()}")
        stylist.calcom_user_id = host.id
        stylist.save(update_fields=["calcom_user_id"])
        mirror.hosts[str(stylist.pk)] = host.id
        for service in company.services.all():
            map_service(emulator, company, service, stylist, host.id)
    connection = CalcomConnection(company=company, base_url=url, team_id=TEAM_ID)
    connection.api_key = api_key
    connection.webhook_secret = "whsec-test"
    connection.save()
    return mirror


def map_service(
    emulator: CalcomEmulator, company: Company, service: Service, stylist: Staff, host_id: int
) -> None:
    for segment in service.staff_segments:
        slug = f"{service.pk}-{segment.key.lower()}-{host_id}"
        (event_type,) = emulator.state.add_team_event_type(
            TEAM_ID, slug, segment.duration_minutes, "collective", (host_id,)
        )
        CalcomEventMap.objects.create(
            company=company,
            service=service,
            segment_key=segment.key,
            staff=stylist,
            event_type_id=event_type.id,
            event_type_slug=slug,
        )
