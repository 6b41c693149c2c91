"""Logs are one JSON line per event with the ids of its context, and the logging layer
redacts credentials and personal data whoever logs them."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from celery import signals
from django.test import Client

from phasebook.calsync.tasks import sync_appointment_task
from phasebook.salons.models import Customer
from phasebook.telemetry.logs import PlainFormatter, log_context, logging_config
from phasebook.telemetry.redaction import redact
from tests.monitoring.captured import CapturedLog

logger = logging.getLogger("phasebook.tests")


def test_a_line_is_one_json_object_with_the_ids_of_its_context(captured_log: CapturedLog) -> None:
    with log_context(appointment_id="a-1", calcom_uid="uid-9"), log_context(phase_id=7):
        logger.warning("sync failed\nsecond line", extra={"http_status": 500})

    (line,) = captured_log.lines()
    assert line["message"] == "sync failed\nsecond line"
    assert (line["level"], line["logger"]) == ("WARNING", "phasebook.tests")
    assert line["ts"].endswith("+00:00")
    assert (line["appointment_id"], line["phase_id"], line["calcom_uid"]) == ("a-1", 7, "uid-9")
    assert line["http_status"] == 500


def test_a_context_ends_with_its_block(captured_log: CapturedLog) -> None:
    with log_context(appointment_id="a-1"):
        pass
    logger.warning("later")

    assert "appointment_id" not in captured_log.lines()[0]


def test_a_traceback_stays_inside_its_line(captured_log: CapturedLog) -> None:
    try:
        raise RuntimeError("boom for eva.muster@example.org")
    except RuntimeError:
        logger.exception("failed")

    (line,) = captured_log.lines()
    assert "RuntimeError: boom for [redacted-email]" in line["exception"]


@pytest.mark.parametrize(
    "secret",
    [
        "+49 171 2345678",
        "+491712345678",
        "0171 2345678",
        "030/1234567",
        "+44 20 7946 0958",
        "eva.muster@example.org",
        "cal_live_4f9a8b7c6d5e4f3a2b1c",
        "cal_test_7a7c358f4a6ca6eaf653e54392086fc3",
        "key_4b1c9f8e7d6a5b4c3d2e",
        "pb_X4bRRmZg2TnyzJlWBE3ncSygytl7RkOGCOJTse_9evQ",
    ],
)
def test_credentials_phone_numbers_and_addresses_are_redacted(
    secret: str, captured_log: CapturedLog
) -> None:
    logger.warning("failed for %s (Authorization: Bearer tok-123)", secret)

    assert secret not in captured_log.text
    assert "tok-123" not in captured_log.text


def test_personal_fields_are_redacted_in_text_and_in_extras(captured_log: CapturedLog) -> None:
    logger.warning(
        "payload %s",
        {"customer_name": "Jürgen Müller", "service": "Damenhaarschnitt"},
        extra={"phone": "+491712345678", "caller_name": "Jürgen Müller", "tool": "book"},
    )

    (line,) = captured_log.lines()
    assert "Jürgen" not in captured_log.text
    assert "Damenhaarschnitt" in line["message"]
    assert (line["phone"], line["caller_name"], line["tool"]) == (
        "[redacted]",
        "[redacted]",
        "book",
    )


def test_a_customer_name_is_redacted_wherever_it_appears_once_the_customer_was_loaded(
    salon: SimpleNamespace, captured_log: CapturedLog
) -> None:
    Customer.objects.create(company=salon.company, name="Walburga Quendt")
    Customer.objects.get(name="Walburga Quendt")

    logger.warning("Key (lower(name))=(walburga quendt) already exists; Quendt called")

    assert "walburga" not in captured_log.text.casefold()
    assert "quendt" not in captured_log.text.casefold()


@pytest.mark.parametrize(
    "harmless",
    [
        "2026-03-02T10:00:00+01:00",
        "0b7c9e5e-0000-4000-8000-000000000000",
        "phase 4711 took 30123 ms, booking 893214, at 1733102400",
        "updated_at = '2026-12-02 03:58:53.071523'",
        "listening on 127.0.0.1:47115",
        "GET /api/v1/appointments/0b7c9e5e -> 409",
    ],
)
def test_times_ids_and_durations_stay_readable(harmless: str) -> None:
    assert redact(harmless) == harmless


def test_a_request_is_one_line_with_its_request_id_which_the_response_returns(
    db: None, captured_log: CapturedLog
) -> None:
    response = Client().get("/api/v1/services?phone=%2B491712345678")

    ours, djangos = captured_log.lines()
    assert (ours["message"], ours["status"]) == ("GET /api/v1/services -> 401", 401)
    assert (djangos["logger"], djangos["status_code"]) == ("django.request", 401)
    assert ours["request_id"] == djangos["request_id"] == response["X-Request-ID"]
    assert "1712345678" not in captured_log.text


def test_a_callers_request_id_is_kept_and_a_malformed_one_replaced(db: None) -> None:
    kept = Client().get("/healthz", headers={"X-Request-ID": "lb-5d41402abc4b2a76"})
    replaced = Client().get("/healthz", headers={"X-Request-ID": "x\nforged: yes"})

    assert kept["X-Request-ID"] == "lb-5d41402abc4b2a76"
    assert len(replaced["X-Request-ID"]) == 32


def test_a_celery_task_logs_with_its_task_id(captured_log: CapturedLog) -> None:
    task = sync_appointment_task
    signals.task_prerun.send(sender=task, task_id="t-1", task=task, args=(), kwargs={})
    logger.warning("inside the task")
    signals.task_postrun.send(sender=task, task_id="t-1", task=task, args=(), kwargs={})
    logger.warning("after it")

    inside, after = captured_log.lines()
    assert (inside["task_id"], inside["task"]) == ("t-1", "calsync.sync_appointment")
    assert "task_id" not in after


def test_the_plain_format_for_a_terminal_shows_the_ids_after_the_message() -> None:
    record = logging.LogRecord("phasebook.tests", logging.INFO, "", 0, "synced", None, None)
    record.phase_id = 7
    with log_context(appointment_id="a-1"):
        text = PlainFormatter("%(levelname)s %(message)s").format(record)

    assert text == "INFO synced appointment_id=a-1 phase_id=7"


def test_a_log_format_other_than_json_or_plain_stops_the_process() -> None:
    with pytest.raises(ValueError, match="PHASEBOOK_LOG_FORMAT must be json or plain"):
        logging_config("INFO", "xml")
