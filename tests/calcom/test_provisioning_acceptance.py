"""Issue 3 acceptance: the seed's managed parents replaced by 24 single-host event types."""

from __future__ import annotations

from datetime import timedelta

import pytest

from phasebook.calcom.errors import CalcomManagedEventTypeError
from phasebook.calcom.models import CalcomEventMap, CalcomEventMapChange
from phasebook.calcom.provisioning import provision, rollback
from phasebook.calcom_emulator import RunningEmulator
from tests.calcom.emulated import booking_request, tomorrow_at
from tests.calcom.provisioning_helpers import TEAM_ID, CalcomSalon, colour_salon

pytestmark = pytest.mark.django_db


def map_seed_managed_parents(salon: CalcomSalon) -> set[int]:
    """Like the seed: one managed parent per service and segment, without children."""
    host_ids = tuple(stylist.calcom_user_id or 0 for stylist in salon.stylists)
    parents = set()
    for service in salon.services:
        for segment in service.staff_segments:
            (parent,) = salon.emulator.state.add_team_event_type(
                TEAM_ID,
                f"managed-{service.pk}-{segment.key}",
                segment.duration_minutes,
                "managed",
                host_ids,
                with_children=False,
            )
            parents.add(parent.id)
            for stylist in salon.stylists:
                CalcomEventMap.objects.create(
                    company=salon.company,
                    service=service,
                    segment_key=segment.key,
                    staff=stylist,
                    event_type_id=parent.id,
                )
    return parents


def mapped_ids() -> set[int]:
    return set(CalcomEventMap.objects.values_list("event_type_id", flat=True))


def test_provisioning_replaces_the_seed_managed_parents_with_24_bookable_event_types(
    running_emulator: RunningEmulator,
) -> None:
    salon = colour_salon(running_emulator.emulator, running_emulator.url)
    managed = map_seed_managed_parents(salon)

    with salon.client() as client:
        first = provision(salon.company, client, TEAM_ID)
        second = provision(salon.company, client, TEAM_ID)

        assert len(first.created_ids) == 24
        assert mapped_ids() == set(first.created_ids)
        assert CalcomEventMapChange.objects.filter(reason="provision").count() == 24
        assert second.created_ids == []
        assert second.batch is None
        for index, event_map in enumerate(CalcomEventMap.objects.all()):
            created = client.get_team_event_type(TEAM_ID, event_map.event_type_id)
            assert created.host_user_ids == (event_map.staff.calcom_user_id,)
            start = tomorrow_at(6) + timedelta(hours=index)  # one hour apart: hosts stay free
            booking = client.create_booking(booking_request(event_map.event_type_id, start))
            assert booking.status == "accepted"
        with pytest.raises(CalcomManagedEventTypeError):
            client.create_booking(booking_request(min(managed), tomorrow_at(6)))

    rollback(salon.company)

    assert mapped_ids() == managed
