"""What the layout promises about imports, read from the source: the scheduling core imports
neither Django nor an app, the HTTP API is an edge that only the URL configuration imports
(health, the admin and the phone agent render through the booking layer), and no two of
phasebook's modules import each other, neither directly nor round a longer loop."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import phasebook

SOURCE = Path(phasebook.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _trees() -> dict[str, tuple[Path, ast.Module]]:
    """Each of phasebook's modules (migrations left out) with its file and its syntax tree."""
    return {
        _module_name(path): (path, ast.parse(path.read_text(encoding="utf-8")))
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts
    }


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
    """Each of phasebook's modules with the modules it imports anywhere."""
    return {name: _imported(tree) for name, (_, tree) in _trees().items()}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_on_import(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements that run when the module is imported: at module level, in class
    bodies and in module-level if/try/with blocks; not those in functions nor those under
    `if TYPE_CHECKING:` (the type checker reads them, Python never runs them)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node):
            yield from _run_on_import(node.orelse)
        elif not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    yield from _run_on_import([child])
                elif isinstance(child, ast.ExceptHandler | ast.match_case):
                    yield from _run_on_import(child.body)


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    path = _trees()[module][0]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
    return f"{base}.{node.module}" if node.module else base


def _modules_named(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The project's modules an import statement loads: `from x import y` loads the module
    x.y when there is one, otherwise the names come from x itself."""
    known = _trees()
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names} & known.keys()
    source = _absolute(module, node)
    named = {
        f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
        for alias in node.names
    }
    return named & known.keys()


@cache
def module_level_graph() -> dict[str, set[str]]:
    """Each of phasebook's modules with the project's modules its import runs."""
    return {
        name: {
            target
            for node in _run_on_import(tree.body)
            for target in _modules_named(name, node)
            if target != name
        }
        for name, (_, tree) in _trees().items()
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


def test_no_module_imports_itself_round_a_loop() -> None:
    try:
        TopologicalSorter(module_level_graph()).prepare()
    except CycleError as error:
        # graphlib lists each module before the ones that import it; reversed, each imports
        # the next.
        loop = " → ".join(reversed(error.args[1]))
        raise AssertionError(f"import cycle (each imports the next): {loop}") from None


def test_the_project_is_imported_inside_functions_only_by_app_configs() -> None:
    """A function-local import would hide a cycle from the test above. AppConfig.ready may
    import: Django loads models and connects signals only once every app is configured."""
    local = [
        f"{name}:{node.lineno}"
        for name, (_, tree) in _trees().items()
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        if not (name.endswith(".apps") and function.name == "ready")
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
        if _modules_named(name, node)
    ]
    assert local == []
