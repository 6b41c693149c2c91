"""API tokens: issued, listed and revoked per salon from the command line; their hint never
gives a short token away."""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from phasebook.salons.models import ApiToken
from tests.factories import make_token


def _token(*args: str) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("raw", ["geheim", "12345678", "x" * 31])
def test_a_short_token_gets_no_hint(salon, raw: str) -> None:
    make_token(salon.company, raw)

    token = ApiToken.objects.get(key_hash=ApiToken.hash(raw))

    assert token.hint == ""
    assert raw not in str(token)


def test_a_generated_token_is_recognised_by_its_first_eight_characters(salon) -> None:
    raw = make_token(salon.company)

    assert ApiToken.objects.get(key_hash=ApiToken.hash(raw)).hint == raw[:8]
    assert len(raw) > 40


def test_issue_prints_a_working_token_once_and_list_shows_only_its_hint(salon, api) -> None:
    issued = _token("issue", "--company", "salon-a", "--name", "Telefon").splitlines()
    raw = issued[-1]

    listing = _token("list", "--company", "salon-a")

    assert api.get("/services").status_code == 200  # the fixture's token
    assert ApiToken.objects.get(key_hash=ApiToken.hash(raw)).name == "Telefon"
    assert raw not in listing
    assert f"{raw[:8]}…" in listing
    assert "Telefon" in listing


def test_a_revoked_token_is_refused_by_the_api(salon, api) -> None:
    token = ApiToken.objects.get(company=salon.company)

    output = _token("revoke", "--company", "salon-a", str(token.pk))

    assert "gesperrt" in output
    assert api.get("/services").status_code == 401
    assert "gesperrt" in _token("list", "--company", "salon-a")


def test_revoking_another_salons_token_is_refused(salon, other_salon) -> None:
    theirs = ApiToken.objects.get(company=other_salon.company)

    with pytest.raises(CommandError, match="kein API-Token"):
        _token("revoke", "--company", "salon-a", str(theirs.pk))

    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_an_unknown_salon_is_named(db) -> None:
    with pytest.raises(CommandError, match="Unbekannter Salon „nirgends“"):
        _token("list", "--company", "nirgends")


def test_the_migration_forgets_hints_that_may_be_whole_tokens(salon) -> None:
    from django.apps import apps

    migration = importlib.import_module(
        "phasebook.salons.migrations.0006_forget_hints_of_short_tokens"
    )
    for hint in ("geheim", "pb_abc", "pb_AbCdE"):
        ApiToken.objects.create(company=salon.company, name=hint, key_hash=hint, hint=hint)

    migration.forget_revealing_hints(apps, None)

    hints = dict(
        ApiToken.objects.filter(key_hash__in=["geheim", "pb_abc", "pb_AbCdE"]).values_list(
            "name", "hint"
        )
    )
    assert hints == {"geheim": "", "pb_abc": "", "pb_AbCdE": "pb_AbCdE"}
