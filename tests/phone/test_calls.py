"""Call records from call_started, call_ended and call_analyzed, in any order, each once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from phasebook.phone.models import Call, CallEvent
from phasebook.phone.retention import remove_personal_data_everywhere
from tests.support.retell import phone_call

STARTED_MS = 1_796_000_000_000  # 2026-11-30
ENDED_MS = STARTED_MS + 95_000

STARTED = {"event": "call_started", "call": phone_call(start_timestamp=STARTED_MS)}
ENDED = {
    "event": "call_ended",
    "call": phone_call(
        call_status="ended",
        start_timestamp=STARTED_MS,
        end_timestamp=ENDED_MS,
        duration_ms=95_000,
        disconnection_reason="user_hangup",
        transcript="Agent: Friseur Demo, guten Tag.\nUser: Ich möchte einen Termin.\n",
        recording_url="https://recordings.example/call_1.wav",
    ),
}
ANALYZED: dict[str, Any] = {
    "event": "call_analyzed",
    "call": ENDED["call"]
    | {
        "call_analysis": {
            "call_summary": "Termin für eine Ansatzfärbung gebucht.",
            "user_sentiment": "Positive",
            "call_successful": True,
        }
    },
}


def _whole(call: Call) -> None:
    assert (call.from_number, call.to_number) == ("+4915112345678", "+4930123456")
    assert (call.direction, call.status, call.agent_id) == ("inbound", "ended", "agent_1")
    assert call.start == datetime.fromtimestamp(STARTED_MS / 1000, tz=UTC)
    assert call.end == datetime.fromtimestamp(ENDED_MS / 1000, tz=UTC)
    assert (call.duration_ms, call.disconnection_reason) == (95_000, "user_hangup")
    assert call.transcript.startswith("Agent: Friseur Demo")
    assert call.recording_url == "https://recordings.example/call_1.wav"
    assert (call.summary, call.sentiment, call.successful) == (
        "Termin für eine Ansatzfärbung gebucht.",
        "Positive",
        True,
    )


def test_the_three_events_in_order_make_a_whole_record(retell_salon: SimpleNamespace) -> None:
    for event in (STARTED, ENDED, ANALYZED):
        assert retell_salon.retell.post("webhook", event).json() == {"status": "recorded"}
    _whole(Call.objects.get(company=retell_salon.company, call_id="call_1"))


def test_ended_and_analyzed_in_reverse_order_make_a_whole_record(
    retell_salon: SimpleNamespace,
) -> None:
    """A call that never connected sends no call_started; webhooks may overtake each other."""
    for event in (ANALYZED, ENDED):
        assert retell_salon.retell.post("webhook", event).status_code == 200
    _whole(Call.objects.get(call_id="call_1"))


def test_a_late_call_started_does_not_reopen_an_ended_call(retell_salon: SimpleNamespace) -> None:
    late_start = {"event": "call_started", "call": phone_call(call_status="ongoing")}
    for event in (ENDED, ANALYZED, late_start):
        retell_salon.retell.post("webhook", event)
    _whole(Call.objects.get(call_id="call_1"))
    assert CallEvent.objects.filter(call__call_id="call_1").count() == 3


def test_a_retried_event_is_applied_once(retell_salon: SimpleNamespace) -> None:
    retell_salon.retell.post("webhook", ENDED)
    Call.objects.filter(call_id="call_1").update(summary="von Hand ergänzt")
    retried = retell_salon.retell.post("webhook", ENDED)
    assert retried.json() == {"status": "duplicate"}
    assert Call.objects.get(call_id="call_1").summary == "von Hand ergänzt"
    assert CallEvent.objects.count() == 1


def test_unknown_events_are_accepted_and_ignored(retell_salon: SimpleNamespace) -> None:
    for event in (
        {"event": "transcript_updated", "call": phone_call()},
        {"event": "transfer_started", "transfer_destination": {"number": "+49301"}},
        {"event": "chat_ended", "chat": {"chat_id": 7}},
    ):
        response = retell_salon.retell.post("webhook", event)
        assert response.status_code == 200
        assert response.json() == {"status": "ignored"}
    assert not Call.objects.exists()


def test_an_unreadable_call_event_is_400_and_changes_nothing(
    retell_salon: SimpleNamespace,
) -> None:
    for body in ({"event": "call_ended"}, {"event": "call_ended", "call": {"call_id": 5}}, [1]):
        assert retell_salon.retell.post("webhook", body).status_code == 400
    assert retell_salon.retell.post("webhook", None, raw="{not json").status_code == 400
    assert not Call.objects.exists()


def test_a_caller_who_opted_out_of_storage_leaves_no_transcript(
    retell_salon: SimpleNamespace,
) -> None:
    event = {
        "event": "call_ended",
        "call": ENDED["call"] | {"opt_out_sensitive_data_storage": True},
    }
    retell_salon.retell.post("webhook", event)
    call = Call.objects.get(call_id="call_1")
    assert (call.transcript, call.recording_url, call.status) == ("", "", "ended")


def test_text_postgresql_cannot_store_is_dropped(retell_salon: SimpleNamespace) -> None:
    event = {"event": "call_ended", "call": phone_call(transcript="a\u0000b\ud800c")}
    escaped = json.dumps(event)  # JSON may say "\u0000" and a lone "\ud800"
    assert retell_salon.retell.post("webhook", None, raw=escaped).status_code == 200
    assert Call.objects.get(call_id="call_1").transcript == "abc"


def test_a_web_test_call_without_numbers_is_recorded(retell_salon: SimpleNamespace) -> None:
    web = {
        "call_id": "web_1",
        "agent_id": "agent_1",
        "call_type": "web_call",
        "call_status": "ended",
    }
    assert (
        retell_salon.retell.post("webhook", {"event": "call_ended", "call": web}).status_code == 200
    )
    assert Call.objects.get(call_id="web_1").from_number == ""


def test_the_same_call_id_in_two_salons_is_two_calls(
    retell_salon: SimpleNamespace, retell_other_salon: SimpleNamespace
) -> None:
    retell_salon.retell.post("webhook", ENDED)
    retell_other_salon.retell.post("webhook", STARTED)
    assert Call.objects.get(company=retell_salon.company).status == "ended"
    assert Call.objects.get(company=retell_other_salon.company).status == "ongoing"


def test_transcripts_and_recordings_go_after_the_retention_period_and_the_call_stays(
    retell_salon: SimpleNamespace, retell_other_salon: SimpleNamespace, settings: Any
) -> None:
    settings.PHASEBOOK_CALL_RETENTION_DAYS = 90
    retell_salon.retell.post("webhook", ENDED)
    retell_other_salon.retell.post("webhook", ENDED)
    recent = {"event": "call_ended", "call": ENDED["call"] | {"call_id": "call_2"}}
    retell_salon.retell.post("webhook", recent)
    now = timezone.now()
    Call.objects.filter(call_id="call_1").update(created_at=now - timedelta(days=91))

    assert remove_personal_data_everywhere(now) == 2
    for old in Call.objects.filter(call_id="call_1"):
        assert (old.transcript, old.recording_url) == ("", "")
        assert old.personal_data_removed_at == now
        assert (old.status, old.duration_ms) == ("ended", 95_000)
    kept = Call.objects.get(call_id="call_2")
    assert kept.transcript
    assert kept.recording_url
    assert remove_personal_data_everywhere(now) == 0


def test_an_event_retried_after_retention_brings_no_transcript_back(
    retell_salon: SimpleNamespace,
) -> None:
    retell_salon.retell.post("webhook", ENDED)
    Call.objects.update(created_at=timezone.now() - timedelta(days=365))
    remove_personal_data_everywhere()
    retell_salon.retell.post("webhook", ANALYZED)
    call = Call.objects.get(call_id="call_1")
    assert (call.transcript, call.recording_url) == ("", "")
    assert call.summary == "Termin für eine Ansatzfärbung gebucht."
