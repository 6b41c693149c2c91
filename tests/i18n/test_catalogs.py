"""The catalogs are complete and compiled: every text the source marks for translation is in
them, no translation is empty, fuzzy or drops a placeholder, and each committed .mo says
exactly what its .po says (a fresh clone runs without gettext tools, so nothing compiles
them later).

After changing texts, in src/phasebook:
    uv run phasebook makemessages -l en --add-location=file
    (translate every new msgstr)
    uv run phasebook compilemessages
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import phasebook
from tests.support.catalogs import read_mo, read_po

SOURCE = Path(phasebook.__file__).parent
CATALOGS = sorted((SOURCE / "locale").glob("*/LC_MESSAGES/django.po"))
# The names makemessages looks for, as far as phasebook uses them.
MARKERS = {"_", "gettext", "gettext_lazy", "gettext_noop"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def marked_texts() -> set[str]:
    """Every string literal the source passes to a translation marker."""
    texts = set()
    for module in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in MARKERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                texts.add(node.args[0].value)
    return texts


def test_english_is_the_only_catalog_since_the_msgids_are_german() -> None:
    assert [path.parts[-3] for path in CATALOGS] == ["en"]


@pytest.mark.parametrize("po", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_text_is_translated_and_none_is_fuzzy(po: Path) -> None:
    entries = [entry for entry in read_po(po) if entry.msgid]
    assert [entry.msgid for entry in entries if not entry.msgstr] == []
    assert [entry.msgid for entry in entries if "fuzzy" in entry.flags] == []


@pytest.mark.parametrize("po", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_translation_keeps_the_placeholders_of_its_text(po: Path) -> None:
    # A lost or misspelt %(name)s would turn the English answer into a KeyError (a 500).
    for entry in read_po(po):
        assert sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(
            PLACEHOLDER.findall(entry.msgid)
        ), entry.msgid


@pytest.mark.parametrize("po", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_text_marked_in_the_source_is_in_the_catalog(po: Path) -> None:
    catalog = {entry.msgid for entry in read_po(po)}
    assert sorted(marked_texts() - catalog) == [], "run makemessages (see the module docstring)"


@pytest.mark.parametrize("po", CATALOGS, ids=lambda path: path.parts[-3])
def test_the_committed_mo_is_compiled_from_the_po(po: Path) -> None:
    # Without the header (msgid ""): msgfmt rewrites it, e.g. drops POT-Creation-Date.
    compiled = read_mo(po.with_suffix(".mo"))
    compiled.pop("")
    written = {entry.msgid: entry.msgstr for entry in read_po(po) if entry.msgid}
    assert compiled == written, "run compilemessages (see the module docstring)"
