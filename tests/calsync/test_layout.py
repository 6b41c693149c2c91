"""calsync's modules import each other in one direction only, at module level.

Function-local imports used to hold an import cycle together (outbox → dispatch →
tasks → outbox); this reads every module's imports and fails on a cycle or on an import
inside a function (AppConfig.ready excepted: Django loads models only after the configs).
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import phasebook.calsync

PACKAGE = Path(phasebook.calsync.__file__).parent


def _modules() -> dict[str, ast.Module]:
    return {
        ".".join(
            ("phasebook", "calsync", *path.relative_to(PACKAGE).with_suffix("").parts)
        ): ast.parse(path.read_text())
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
    }


def _imported(node: ast.AST) -> set[str]:
    if isinstance(node, ast.ImportFrom) and node.module:
        return {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    return set()


def test_calsync_has_no_import_cycle() -> None:
    modules = _modules()
    graph = {
        name: {target for node in tree.body for target in _imported(node) if target in modules}
        for name, tree in modules.items()
    }
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {cycle.args[1]}") from None
    assert order.index("phasebook.calsync.outbox") < order.index("phasebook.calsync.tasks")


def test_calsync_imports_nothing_inside_functions_but_the_app_config() -> None:
    local = [
        f"{name}:{node.lineno}"
        for name, tree in _modules().items()
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
        if not (name.endswith(".apps") and function.name == "ready")
    ]
    assert local == []
