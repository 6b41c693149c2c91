"""What the layout promises about imports, read from the source: the scheduling core imports
neither Django nor an app, the HTTP API is an edge that only the URL configuration imports
(health, the admin and the phone agent render through the booking layer), and no two of
phasebook's modules import each other, neither directly nor round a longer loop. Every lock
is taken in booking/locks.py, and the edges that speak for one salon take its rows through
salons/tenancy.py. And the tests' own layout: test folders share only through
tests/support and tests/factories.py."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from tests.support.imports import TESTS, import_graph, module_level_graph, modules_named, trees


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
        for name, (_, tree) in trees().items()
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        if not (name.endswith(".apps") and function.name == "ready")
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
        if modules_named(name, node)
    ]
    assert local == []


def _takes_a_lock(node: ast.expr) -> bool:
    """A row lock (Django's select_for_update) or SQL that takes an advisory lock."""
    if isinstance(node, ast.Attribute):
        return node.attr == "select_for_update"
    return isinstance(node, ast.Constant) and "pg_advisory" in str(node.value).lower()


def test_every_lock_is_taken_by_a_helper_in_booking_locks() -> None:
    """booking/locks.py states the one order locks are taken in; a lock taken anywhere else
    would be out of its sight."""
    elsewhere = [
        f"{module}:{node.lineno}"
        for module, (_, tree) in trees().items()
        if module != "phasebook.booking.locks"
        for node in ast.walk(tree)
        if isinstance(node, ast.expr) and _takes_a_lock(node)
    ]
    assert elsewhere == []


# The edges that speak for one salon: an API token's, a phone call's, the portal's chosen one.
ONE_SALON_EDGES = ("phasebook.api", "phasebook.portal", "phasebook.phone")


def _filters_by_company(node: ast.Call) -> bool:
    """`.filter(company=…)`, `.get(appointment__company=…)`, `Q(company_id=…)` and the like."""
    func = node.func
    lookup = (isinstance(func, ast.Attribute) and func.attr in ("filter", "exclude", "get")) or (
        isinstance(func, ast.Name) and func.id == "Q"
    )
    return lookup and any(
        keyword.arg is not None
        and (keyword.arg in ("company", "company_id") or keyword.arg.endswith("__company"))
        for keyword in node.keywords
    )


def test_the_edges_take_a_salons_rows_through_tenancy() -> None:
    """salons/tenancy.py is the one rule of which rows are a salon's: the API, the portal
    and the phone agent ask `of_company` for them instead of filtering by company."""
    direct = [
        f"{module}:{node.lineno}"
        for module, (_, tree) in trees().items()
        if any(module == edge or module.startswith(f"{edge}.") for edge in ONE_SALON_EDGES)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _filters_by_company(node)
    ]
    assert direct == []


def _folder(path: Path) -> str:
    """The package of the test folder a file sits in: tests.calsync, or tests at the top."""
    return ".".join(path.relative_to(TESTS.parent).parent.parts)


def _may_import(folder: str, target: str) -> bool:
    if target.rpartition(".")[2] == "conftest":
        return False  # pytest hands out a conftest's fixtures; its helpers belong elsewhere
    if target in ("tests.factories", "tests.support") or target.startswith("tests.support."):
        return True
    return folder != "tests" and target.startswith(f"{folder}.")


def test_test_folders_share_only_through_tests_support() -> None:
    """A test module imports from its own folder, tests/support and tests/factories.py: not
    from a conftest.py, and not from another test folder (what two folders share moves to
    tests/support, so that no folder depends on how another one is laid out)."""
    wrong = [
        f"{path.relative_to(TESTS.parent)}:{node.lineno} imports {target}"
        for module, (path, tree) in trees(TESTS).items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for target in sorted(modules_named(module, node, TESTS))
        if not _may_import(_folder(path), target)
    ]
    assert not wrong, "move what the folders share to tests/support:\n" + "\n".join(wrong)
