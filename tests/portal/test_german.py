"""Every admin page reads German by default: a page is rendered for each registered model
(list, add form, an object's page, its history) and for each portal page, and none may show
a known English UI text or the framework's name. A model that joins the admin is covered
without editing this test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

import phasebook
from phasebook.calsync.models import CalcomSyncSettings
from phasebook.salons.models import Absence, ExternalBusyBlock
from tests.support.booking import a_wednesday, book_at
from tests.support.catalogs import read_mo, read_po
from tests.support.portal import salon_user

# Texts that leaked into the German UI before (issue 13) and their kin; whole words only.
ENGLISH = [
    "Django",
    "Type to search",
    "Filters",
    "Apply Filters",
    "Reset filters",
    "No results found",
    "Company",
    "Staff",
    "Booking",
    "Salons and their catalogue",
    "Cal.com connection",
    "Cal.com sync",
    "Save",
    "Delete",
    "Cancel",
    "Add",
    "Change",
    "History",
    "Search",
    "Show counts",
    "Hide counts",
    "Select all rows",
    "More actions",
    "Run",
    "Next",
    "Previous",
    "Welcome",
    "Log out",
    "Dark",
    "Light",
    "Yes",
    "No",
    "True",
    "False",
    "Unknown",
    "Select",
    "Löschen Termin",
    "Löschen Phase",
]
# German UI texts (not data: the fixture's service and segment names are German too).
GERMAN = [
    "Terminbuch",
    "Termine",
    "Leistungen",
    "Mitarbeiter:innen",
    "Kund:innen",
    "Abbrechen",
    "Zeiten in",
    "Übersicht",
    "Verwaltung",
    "Sichern",
    "Schließen",
    "Suchen",
    "Anrufe",
    "Beginn",
    "Ende",
    "Neuer Termin",
    "Heute",
    "Friseur erforderlich",
    "Zeitleiste",
]


def words(texts: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?<![\w-]){re.escape(text)}(?![\w-])" for text in texts))


WORDS = {"de": words(ENGLISH), "en": words(GERMAN)}
SCRIPT = re.compile(r"<script\b.*?</script>|<style\b.*?</style>", re.S)
ATTRIBUTE_VALUES_THAT_ARE_CODE = re.compile(
    r'\s(?:class|x-[\w.:-]+|@[\w.:-]+|:[\w.-]+|id|name|for|href|src|data-[\w-]+|style|type)="[^"]*"'
)


def visible(language: str, html: str) -> list[str]:
    """Known texts of the other language among what a person reads (text and labelling
    attributes)."""
    text = ATTRIBUTE_VALUES_THAT_ARE_CODE.sub(" ", SCRIPT.sub(" ", html))
    return sorted(set(WORDS[language].findall(text)))


@pytest.fixture
def furnished(salon: SimpleNamespace) -> SimpleNamespace:
    """A salon with a row in every model a salon works with, so every page has an object."""
    start = a_wednesday(10)
    book_at(salon.company, salon.colour, salon.anna, start, "Maria Berger")
    Absence.objects.create(staff=salon.ben, start=start, end=start + timedelta(hours=2))
    ExternalBusyBlock.objects.create(
        staff=salon.ben,
        start=start + timedelta(hours=3),
        end=start + timedelta(hours=4),
        external_id="uid-1",
    )
    CalcomSyncSettings.objects.create(company=salon.company)
    return salon


def admin_pages(user: User) -> Iterator[str]:
    """The URL of every page the admin registry offers this user, with one object each."""
    request = RequestFactory().get("/admin/")
    request.user = user
    yield reverse("admin:index")
    yield reverse("portal:daybook")
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        name = f"admin:{meta.app_label}_{meta.model_name}"
        if not model_admin.has_view_or_change_permission(request):
            continue
        yield reverse(f"{name}_changelist")
        if model_admin.has_add_permission(request):
            yield reverse(f"{name}_add")
        first = model_admin.get_queryset(request).first()
        if first is not None:
            yield reverse(f"{name}_change", args=[first.pk])
            yield reverse(f"{name}_history", args=[first.pk])


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("who", ["salon user", "superuser"])
def test_every_admin_page_reads_in_one_language(
    furnished: SimpleNamespace, who: str, language: str
) -> None:
    """German by default; English complete for browsers that ask for it."""
    if who == "superuser":
        user = User.objects.create_superuser("root", password="pw")
    else:
        user = salon_user(furnished.company)
    client = Client(headers={"Accept-Language": language} if language == "en" else {})
    client.force_login(user)
    found = {}

    for url in admin_pages(user):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        other = visible(language, response.content.decode())
        if other:
            found[url] = other

    assert found == {}, "\n".join(f"{url}: {texts}" for url, texts in found.items())
    translation.deactivate()


def test_the_themes_german_catalog_is_compiled_from_its_po() -> None:
    po = Path(phasebook.__file__).parent / "portal/theme_locale/de/LC_MESSAGES/django.po"
    written = {entry.msgid: entry.msgstr for entry in read_po(po) if entry.msgid}
    compiled = read_mo(po.with_suffix(".mo"))
    compiled.pop("")

    assert compiled == written, "msgfmt -o django.mo django.po in portal/theme_locale/de/…"
    assert [msgid for msgid, msgstr in written.items() if not msgstr] == []
