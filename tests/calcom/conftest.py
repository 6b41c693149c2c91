"""Fixtures: the run's emulator (tests/support/emulator.py) with one stylist, her key and an
event type (emulated.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from phasebook.calcom.client import CalcomClient
from phasebook.calcom_emulator import RunningEmulator
from tests.calcom.emulated import EmulatedCalcom
from tests.support.emulator import TEST_TIMEOUTS


@pytest.fixture
def calcom_emulator(running_emulator: RunningEmulator) -> EmulatedCalcom:
    emulator = running_emulator.emulator
    user, api_key = emulator.seed_user("anna", api_key="cal_test_anna")
    event_type = emulator.state.add_event_type(user.id, "colour-apply", 30, title="Colour: apply")
    return EmulatedCalcom(running_emulator.url, emulator, user, api_key, event_type)


@pytest.fixture
def calcom_client(calcom_emulator: EmulatedCalcom) -> Iterator[CalcomClient]:
    client = CalcomClient(calcom_emulator.url, calcom_emulator.api_key, timeouts=TEST_TIMEOUTS)
    with client:
        yield client
