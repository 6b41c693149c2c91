"""What a tree of modules imports, read from the source (nothing is imported): phasebook's
layers (tests/test_layers.py, tests/phone/test_layers.py) and how the test folders share
(tests/test_layers.py). `root` is a package's folder, src/phasebook unless told otherwise."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import phasebook

SOURCE = Path(phasebook.__file__).parent
TESTS = Path(__file__).resolve().parents[1]


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def trees(root: Path = SOURCE) -> dict[str, tuple[Path, ast.Module]]:
    """Each module under `root` (migrations left out) with its file and its syntax tree."""
    return {
        _module_name(path, root): (path, ast.parse(path.read_text(encoding="utf-8")))
        for path in root.rglob("*.py")
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
def import_graph(root: Path = SOURCE) -> dict[str, set[str]]:
    """Each module under `root` with the modules it imports anywhere."""
    return {name: _imported(tree) for name, (_, tree) in trees(root).items()}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def run_on_import(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements that run when the module is imported: at module level, in class
    bodies and in module-level if/try/with blocks; not those in functions nor those under
    `if TYPE_CHECKING:` (the type checker reads them, Python never runs them)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node):
            yield from run_on_import(node.orelse)
        elif not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    yield from run_on_import([child])
                elif isinstance(child, ast.ExceptHandler | ast.match_case):
                    yield from run_on_import(child.body)


def _absolute(module: str, node: ast.ImportFrom, root: Path) -> str:
    if not node.level:
        return node.module or ""
    path = trees(root)[module][0]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
    return f"{base}.{node.module}" if node.module else base


def modules_named(module: str, node: ast.Import | ast.ImportFrom, root: Path = SOURCE) -> set[str]:
    """The modules under `root` an import statement in `module` loads: `from x import y`
    loads the module x.y when there is one, otherwise the names come from x itself."""
    known = trees(root)
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names} & known.keys()
    source = _absolute(module, node, root)
    named = {
        f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
        for alias in node.names
    }
    return named & known.keys()


@cache
def module_level_graph(root: Path = SOURCE) -> dict[str, set[str]]:
    """Each module under `root` with the modules under `root` its import runs."""
    return {
        name: {
            target
            for node in run_on_import(tree.body)
            for target in modules_named(name, node, root)
            if target != name
        }
        for name, (_, tree) in trees(root).items()
    }
