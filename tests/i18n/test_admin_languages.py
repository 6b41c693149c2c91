"""The admin's own texts follow the browser's language too: model names, column titles,
help texts and validation messages, German by default and English for `en`."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from phasebook.salons.models import validate_date_list, validate_e164, validate_time_zone


@pytest.fixture
def superuser(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw"))
    return client


@pytest.mark.parametrize(
    ("accept_language", "texts"),
    [
        (None, ["Leistungen", "Dauer (min)", "Mehrphasig"]),
        ("en", ["Services", "Duration (min)", "Multi-phase"]),
    ],
)
def test_the_service_list_is_titled_in_the_browsers_language(
    superuser: Client, salon: SimpleNamespace, accept_language: str | None, texts: list[str]
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}

    page = superuser.get("/admin/salons/service/", headers=headers).content.decode()

    assert [text for text in texts if text not in page] == []


@pytest.mark.parametrize(
    ("accept_language", "help_text"),
    [
        (None, "Zusätzliche Schließtage (JJJJ-MM-TT)."),
        ("en", "Additional closing days (YYYY-MM-DD)."),
    ],
)
def test_the_company_form_explains_its_fields_in_the_browsers_language(
    superuser: Client, salon: SimpleNamespace, accept_language: str | None, help_text: str
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}

    page = superuser.get(f"/admin/salons/company/{salon.company.pk}/change/", headers=headers)

    assert help_text in page.content.decode()


@pytest.mark.parametrize(
    ("validate", "value", "german", "english"),
    [
        (
            validate_time_zone,
            "Mars/Olympus",
            "Unbekannte Zeitzone: Mars/Olympus",
            "Unknown time zone: Mars/Olympus",
        ),
        (
            validate_date_list,
            ["2026-02-30"],
            "'2026-02-30' ist kein Datum (JJJJ-MM-TT).",
            "'2026-02-30' is not a date (YYYY-MM-DD).",
        ),
        (
            validate_e164,
            "0171 2345678",
            "Telefonnummer im Format +49… angeben.",
            "Enter the phone number as +49….",
        ),
    ],
)
def test_validation_messages_are_german_by_default_and_english_on_request(
    validate, value, german: str, english: str
) -> None:
    with pytest.raises(ValidationError) as error:
        validate(value)

    assert error.value.messages == [german]
    with translation.override("en"):
        assert error.value.messages == [english]
