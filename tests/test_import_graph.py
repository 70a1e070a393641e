"""The portal's import graph, read from the source: packages import each other one way only,
and pure domain modules never reach Flask, not even at one remove.

The graph is read with ``ast`` rather than by importing, so every module is checked whether
or not a test happens to import it, and a failure names the chain of imports that caused it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"

# The modules that hold the programme's rules and definitions: plain Python, testable
# without an app. Models they read are followed too (they import portal.db_base, not Flask).
PURE_MODULES = (
    *(f"portal.matching.{path.stem}" for path in sorted((PORTAL / "matching").glob("[!_]*.py"))),
    "portal.matching",
    "portal.registration.eligibility",
    "portal.reference.shipped",
    "portal.reference.bands",
    "portal.registration.postcodes",
    "portal.registration.duplicates",
    "portal.registration.questions",
    "portal.coaching.availability",
    "portal.coaching.hours",
    "portal.cohorts.schedule",
    "portal.calendar",
    "portal.timefmt",
    "portal.merge_fields",
    "portal.presentation",
    "portal.outcomes.figures",
    "portal.outcomes.figures_inputs",
    "portal.outcomes.round_figures",
    "portal.outcomes.charts",
    "portal.measures.figures",
    "portal.transaction_cache",
    "portal.sql_hints",
    "portal.db_base",
)

# Flask, its extensions and the libraries that come with it.
WEB_PACKAGES = ("flask", "flask_*", "wtforms", "govuk_frontend_*", "werkzeug", "jinja2")


def is_web_package(name: str) -> bool:
    top = name.split(".")[0]
    return any(
        top.startswith(pattern[:-1]) if pattern.endswith("*") else top == pattern
        for pattern in WEB_PACKAGES
    )


@dataclass(frozen=True)
class Import:
    module: str  # the module that imports
    target: str  # what it imports (a module, or a package it takes names from)
    line: int
    at_import: bool  # runs when the module is imported (module level), not inside a function


def module_name(path: Path) -> str:
    parts = path.relative_to(PORTAL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def portal_modules() -> dict[str, Path]:
    return {module_name(path): path for path in PORTAL.rglob("*.py")}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(body: list[ast.stmt], at_import: bool) -> Iterator[tuple[ast.stmt, bool]]:
    """Every statement, with whether it runs when the module is imported.

    ``if TYPE_CHECKING:`` blocks never run, so they count as not at import (their imports
    still count as dependencies between packages).
    """
    for node in body:
        yield node, at_import
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _statements(node.body, False)
        elif isinstance(node, ast.If):
            yield from _statements(node.body, at_import and not _is_type_checking(node.test))
            yield from _statements(node.orelse, at_import)
        else:
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    for child in children:
                        if isinstance(child, ast.ExceptHandler | ast.match_case):
                            yield from _statements(child.body, at_import)
                    yield from _statements(
                        [child for child in children if isinstance(child, ast.stmt)], at_import
                    )


@cache
def imports_of(module: str) -> tuple[Import, ...]:
    path = portal_modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node, at_import in _statements(tree.body, True):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, node.lineno, at_import) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            found.append(Import(module, source, node.lineno, at_import))
            for alias in node.names:  # ``from portal import db`` imports the module portal.db
                if f"{source}.{alias.name}" in portal_modules():
                    found.append(Import(module, f"{source}.{alias.name}", node.lineno, at_import))
    return tuple(found)


def modules_run_by(name: str) -> list[str]:
    """Importing ``portal.a.b`` runs ``portal.a`` and then ``portal.a.b`` (portal's own
    ``__init__``, which holds the app factory and imports Flask only inside it, aside)."""
    parts = name.split(".")
    return [
        ".".join(parts[:end])
        for end in range(2, len(parts) + 1)
        if ".".join(parts[:end]) in portal_modules()
    ]


def feature_package(module: str) -> str | None:
    """``portal.cohorts`` for any module in portal/cohorts/; None for the core modules
    directly under portal/ (the floor every feature may stand on)."""
    parts = module.split(".")
    if parts[0] != "portal" or len(parts) < 2:
        return None
    return f"portal.{parts[1]}" if (PORTAL / parts[1]).is_dir() else None


# Packages import each other one way only


def package_dependencies() -> dict[str, dict[str, list[Import]]]:
    """package -> package it imports -> the imports that make it so.

    Every import counts, at module level or inside a function (an import deferred into a
    function is still a dependency, and the usual way to hide a cycle)."""
    edges: dict[str, dict[str, list[Import]]] = {}
    for module in portal_modules():
        source = feature_package(module)
        if source is None:
            continue
        for found in imports_of(module):
            target = feature_package(found.target)
            if target is not None and target != source:
                edges.setdefault(source, {}).setdefault(target, []).append(found)
    return edges


def cycles(edges: dict[str, dict[str, list[Import]]]) -> list[list[str]]:
    """The strongly connected groups of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in edges.get(node, {}):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_no_two_portal_packages_import_each_other_even_through_others():
    edges = package_dependencies()
    found = cycles(edges)
    explained = []
    for group in found:
        explained.append(" <-> ".join(group))
        for source in group:
            for target in group:
                for item in edges.get(source, {}).get(target, [])[:3]:
                    explained.append(f"    {item.module}:{item.line} imports {item.target}")
    assert not found, "Packages that import each other:\n" + "\n".join(explained)


def test_the_cycle_check_sees_a_cycle_through_a_third_package():
    """The check itself: a -> b -> c -> a is one cycle; d, imported only, is outside it."""
    mark = Import("portal.x.y", "portal.z", 1, True)
    edges = {
        "a": {"b": [mark]},
        "b": {"c": [mark], "d": [mark]},
        "c": {"a": [mark]},
    }
    assert cycles(edges) == [["a", "b", "c"]]
    assert cycles({"a": {"b": [mark]}, "b": {"d": [mark]}}) == []


# Pure modules never reach Flask


def path_to_web_package(start: str) -> list[str] | None:
    """The chain of imports run at import time from ``start`` to Flask or one of its
    kind, or None if importing ``start`` never reaches one.

    Only imports that run when a module is imported are followed (module level, including
    ``if`` and ``try`` blocks, never ``if TYPE_CHECKING:``): that is what purity at import
    means. An import inside a function runs when the function is called; a package's
    ``init_app``, which registers its job with the job runner, is one.
    """
    came_from: dict[str, str | None] = {}
    queue: deque[str] = deque()
    previous = None
    for module in modules_run_by(start):
        came_from[module] = previous
        queue.append(module)
        previous = module
    while queue:
        module = queue.popleft()
        for found in imports_of(module):
            if not found.at_import:
                continue
            if is_web_package(found.target):
                chain = [f"{found.target} ({module}:{found.line})"]
                step: str | None = module
                while step is not None:
                    chain.append(step)
                    step = came_from[step]
                return list(reversed(chain))
            for imported in modules_run_by(found.target):
                if imported not in came_from:
                    came_from[imported] = module
                    queue.append(imported)
    return None


def test_every_listed_pure_module_exists():
    missing = [name for name in PURE_MODULES if name not in portal_modules()]
    assert not missing


def test_no_pure_module_reaches_flask_through_any_import():
    reached = {name: path_to_web_package(name) for name in PURE_MODULES}
    paths = [f"{name}: {' -> '.join(path)}" for name, path in reached.items() if path is not None]
    assert not paths, "Pure modules that reach Flask:\n" + "\n".join(paths)


def test_the_purity_check_follows_imports_at_one_remove():
    """The check itself: the forms module of registration reaches flask_wtf through
    portal.forms, and the check says so, naming the chain."""
    path = path_to_web_package("portal.registration.journey")
    assert path is not None
    assert path[0] == "portal.registration"
    # journey imports no web package itself: the chain passes through another module.
    assert path.index("portal.registration.journey") < len(path) - 2
    assert is_web_package(path[-1].split(" ")[0])


def test_importing_each_pure_module_leaves_flask_out_of_a_fresh_interpreter():
    """The same promise, kept at run time: each pure module is imported in turn in one
    fresh interpreter, and none may bring a web package into ``sys.modules``."""
    script = f"""
import importlib, sys
web = {WEB_PACKAGES!r}
def loaded():
    return sorted(
        name for name in sys.modules
        if any(
            name.split(".")[0].startswith(p[:-1]) if p.endswith("*") else name.split(".")[0] == p
            for p in web
        )
    )
for name in {PURE_MODULES!r}:
    importlib.import_module(name)
    brought = loaded()
    if brought:
        print(name, "brought", ", ".join(brought))
        sys.exit(1)
print("none")
"""
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script],
        cwd=PORTAL.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "none"
