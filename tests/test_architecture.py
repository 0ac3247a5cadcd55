"""The shape of the house: imports point one way (no cycle anywhere in ``iki_xlsx``), SQL
lives in the ledger module only, and a module longer than ~400 lines says why at its top.

The import graph is read from the source with :mod:`ast` (imports inside functions
count too: a lazy import is still an arrow), so the test needs nothing installed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "iki_xlsx"
LONG_REASON = "longer than 400 lines because"  # the phrase a long module's docstring carries


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def import_graph() -> dict[str, set[str]]:
    """module → the ``iki_xlsx`` modules it imports (a submodule import also runs every
    package ``__init__`` above it that the importer is not itself inside)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        targets: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node.level, node.module) if node.level \
                    else (node.module or "")
                targets.append(base)
                targets.extend(f"{base}.{alias.name}" for alias in node.names)
        for target in targets:
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                candidate = ".".join(parts[:i])
                if candidate not in modules or candidate == name:
                    continue
                if name.startswith(candidate + "."):
                    continue  # the importer's own package: already being initialised
                graph[name].add(candidate)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_checker_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_sees_relative_and_lazy_imports():
    graph = import_graph()
    assert "iki_xlsx.forms.layout" in graph["iki_xlsx.collect.judge"]  # from .. import layout
    assert "iki_xlsx.collect" in graph["iki_xlsx.cli.collect"]  # imported inside a command
    assert "iki_xlsx.collect.reading" in graph["iki_xlsx.collect.judge"]


def test_no_import_cycle_in_iki_xlsx():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_sql_only_in_the_ledger_module():
    sql = re.compile(r"\.execute(many|script)?\(|\bSELECT\b.+\bFROM\b|\bINSERT INTO\b|"
                     r"\bCREATE TABLE\b|\bUPDATE \w+ SET\b")
    offenders = [name for name, path in _modules().items()
                 if name != "iki_xlsx.workspace.ledger" and sql.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.parametrize("name", sorted(_modules()))
def test_a_long_module_says_why(name):
    path = _modules()[name]
    lines = path.read_text(encoding="utf-8").count("\n")
    if lines <= 420:
        return
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert LONG_REASON in " ".join(doc.lower().split()), \
        f"{path.name} has {lines} lines and no '{LONG_REASON} …' in its docstring"
