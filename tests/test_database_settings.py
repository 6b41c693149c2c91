"""How phasebook connects to its database."""

from __future__ import annotations

import pytest
from django.db import connection

from phasebook.settings import _database

GENERIC_PLANS = "-c plan_cache_mode=force_generic_plan"


def test_postgres_statements_are_prepared_with_one_generic_plan_keeping_url_options() -> None:
    options = _database("postgres://app@db.example:5432/phasebook?sslmode=require")["OPTIONS"]
    assert options == {
        "sslmode": "require",
        "server_side_binding": True,
        "prepare_threshold": 5,
        "options": GENERIC_PLANS,
    }


def test_prepared_statements_can_be_turned_off_for_a_pooler_that_cannot_keep_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PHASEBOOK_DB_PREPARED_STATEMENTS", "0")
    config = _database("postgres://app@db.example:5432/phasebook")
    assert "prepare_threshold" not in config.get("OPTIONS", {})


def test_sqlite_serializes_writes_instead() -> None:
    options = _database("sqlite:////tmp/phasebook.sqlite3")["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_statement_run_often_is_prepared_once_and_planned_generically() -> None:
    with connection.cursor() as cursor:
        for staff_id in range(7):
            cursor.execute("SELECT count(*) FROM salons_staff WHERE company_id = %s", [staff_id])
        cursor.execute(
            "SELECT generic_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ["SELECT count(*) FROM salons_staff%"],
        )
        assert cursor.fetchone() == (2,)  # runs 6 and 7: prepared after the fifth
