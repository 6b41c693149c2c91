"""What the layout promises about imports, read from the source: the scheduling core imports
neither Django nor an app, and the HTTP API is an edge that only the URL configuration
imports (health, the admin and the phone agent render through the booking layer)."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import phasebook

SOURCE = Path(phasebook.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(tree: ast.Module) -> set[str]:
    """Every module an import statement names, wherever it sits (also inside functions)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@cache
def import_graph() -> dict[str, set[str]]:
    """Each of phasebook's modules (migrations left out) with the modules it imports."""
    return {
        _module_name(path): _imported(ast.parse(path.read_text(encoding="utf-8")))
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts
    }


def _importers_of(prefix: str) -> set[str]:
    return {
        module
        for module, imported in import_graph().items()
        if not module.startswith(prefix)
        and any(name == prefix or name.startswith(f"{prefix}.") for name in imported)
    }


def test_the_scheduling_core_imports_neither_django_nor_an_app() -> None:
    for module, imported in import_graph().items():
        if module.startswith("phasebook.scheduling"):
            outside = {name for name in imported if name.split(".")[0] in ("django", "phasebook")}
            assert all(name.startswith("phasebook.scheduling") for name in outside), module


def test_only_the_url_configuration_imports_the_http_api() -> None:
    assert _importers_of("phasebook.api") == {"phasebook.urls"}
