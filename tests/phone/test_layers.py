"""The phone agent's language package is pure: no Django, no app but the scheduling core."""

from __future__ import annotations

from tests.support.imports import import_graph


def test_the_language_package_imports_neither_django_nor_an_app() -> None:
    modules = {
        name: imported
        for name, imported in import_graph().items()
        if name.startswith("phasebook.phone.language")
    }
    assert modules
    for module, imported in modules.items():
        outside = {name for name in imported if name.split(".")[0] in ("django", "phasebook")}
        allowed = ("phasebook.phone.language", "phasebook.scheduling")
        assert all(name.startswith(allowed) for name in outside), module
