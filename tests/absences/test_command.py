"""`phasebook absence`: the impact, the plan and the calls in the salon's zone; --apply."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from phasebook.absences.management.commands.absence import parse_instant
from phasebook.booking.customers import CustomerDetails
from phasebook.booking.models import Appointment
from phasebook.booking.services import BookingRequest, book_appointment
from phasebook.salons.models import Absence
from tests.factories import ACTOR, BERLIN, next_weekday

NOW = datetime.now(BERLIN)
TEN = next_weekday(NOW)  # a Wednesday 10:00 in Berlin


@pytest.fixture
def booked(salon: SimpleNamespace) -> Appointment:
    customer = CustomerDetails("Eva Adler", phone="+49 171 2345678")
    request = BookingRequest(salon.cut.pk, TEN, customer, str(salon.anna.pk))
    return book_appointment(salon.company, request, actor=ACTOR)


def _absence(*extra: str) -> str:
    out = StringIO()
    day = TEN.date().isoformat()
    call_command(
        "absence",
        "--company",
        "salon-a",
        "--staff",
        "ann",
        "--from",
        day,
        "--to",
        day,
        "--reason",
        "krank",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def test_it_prints_the_plan_and_whom_to_call_in_the_salons_zone_and_changes_nothing(
    booked: Appointment,
    salon: SimpleNamespace,
) -> None:
    printed = _absence()

    weekday_date = f"Mi {TEN:%d.%m.%Y}"
    assert f"Ausfall: Anna, {weekday_date} 00:00" in printed
    assert f"{weekday_date} 10:00–10:30  Herrenhaarschnitt, Eva Adler (Anna)" in printed
    assert "Ben übernimmt den Termin." in printed
    assert (
        f"Eva Adler, +491712345678: Herrenhaarschnitt {weekday_date} 10:00 bei Anna → "
        f"{weekday_date} 10:00 bei Ben (neue:r Friseur:in)"
    ) in printed
    assert "Nichts wurde geändert" in printed
    assert not Absence.objects.exists()


def test_with_apply_it_records_the_absence_and_moves_the_appointment(
    booked: Appointment,
    salon: SimpleNamespace,
) -> None:
    printed = _absence("--apply")

    assert "= verschoben" in printed
    assert Absence.objects.get().reason == "krank"
    booked.refresh_from_db()
    assert booked.staff_id == salon.ben.pk


def test_an_unknown_or_ambiguous_stylist_is_named(salon: SimpleNamespace) -> None:
    with pytest.raises(CommandError, match="es gibt: Anna, Ben"):
        call_command(
            "absence",
            "--company",
            "salon-a",
            "--staff",
            "Cleo",
            "--from",
            "2026-03-04",
            "--to",
            "2026-03-04",
        )
    with pytest.raises(CommandError, match="nicht eindeutig: Anna, Ben"):
        call_command(
            "absence",
            "--company",
            "salon-a",
            "--staff",
            "n",
            "--from",
            "2026-03-04",
            "--to",
            "2026-03-04",
        )


@pytest.mark.parametrize(
    ("text", "end_of_day", "expected"),
    [
        ("2026-03-29", False, "2026-03-29T00:00:00+01:00"),
        ("2026-03-29", True, "2026-03-30T00:00:00+02:00"),  # the day the clocks go forward
        ("2026-03-29T14:00", False, "2026-03-29T14:00:00+02:00"),
        ("2026-03-29T14:00+00:00", False, "2026-03-29T14:00:00+00:00"),
    ],
)
def test_times_are_the_salons_unless_they_name_their_offset(
    text: str, end_of_day: bool, expected: str
) -> None:
    assert parse_instant(text, ZoneInfo("Europe/Berlin"), end_of_day=end_of_day).isoformat() == (
        expected
    )


def test_a_time_that_is_not_one_is_refused() -> None:
    with pytest.raises(CommandError, match="kein Datum"):
        parse_instant("morgen", BERLIN, end_of_day=False)
