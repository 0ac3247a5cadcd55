"""The shape of the house, checked from the source with :mod:`ast` (imports inside
functions count too: a lazy import is still an arrow), so the test needs nothing installed.

* One package per step of the work, in the order the data flows (:data:`LAYERS`, the one
  place the order is declared): a package imports only packages at or below its layer.
* No import cycle between modules, nor between packages.
* Another package is used through its public face: the names (or public modules) its
  ``__init__`` lists in ``__all__``. Nothing private (``_name``) is imported from another
  module at all.
* SQL lives under ``workspace/`` only; at most :data:`MAX_TOP` entries at the top of
  ``iki_xlsx/``; no module over :data:`HARD_LIMIT` lines, and one over ~400 lines says why
  at its top.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "iki_xlsx"

# The steps of the work, lowest first: what each package may import is itself and
# the packages before it. cli is the top (it serves the portal too).
LAYERS = ("core", "workspace", "define", "forms", "collect", "recap", "year", "mail",
          "portal", "cli")
MAX_TOP = 12  # entries at the top of iki_xlsx/: the packages, __init__ and __main__
HARD_LIMIT = 600
SOFT_LIMIT = 420
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


def _imports(name: str, path: Path):
    """(base module, imported name or None) of every import of ``iki_xlsx`` in a module,
    with its line: ``from base import name`` or ``import base``."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "iki_xlsx":
                    yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(name, is_package, node.level, node.module) if node.level \
                else (node.module or "")
            if base.split(".")[0] == "iki_xlsx":
                for alias in node.names:
                    yield base, alias.name, node.lineno


def import_graph() -> dict[str, set[str]]:
    """module → the ``iki_xlsx`` modules it imports (a submodule import also runs every
    package ``__init__`` above it that the importer is not itself inside)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for base, imported, _ in _imports(name, path):
            target = f"{base}.{imported}" if imported else base
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                candidate = ".".join(parts[:i])
                if candidate not in modules or candidate == name:
                    continue
                if name.startswith(candidate + "."):
                    continue  # the importer's own package: already being initialised
                graph[name].add(candidate)
    return graph


def package_of(module: str) -> str:
    """``iki_xlsx.collect.mail.inbox`` → ``collect``; the top modules → ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else ""


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {p: set() for p in LAYERS}
    for module, targets in graph.items():
        src = package_of(module)
        for target in targets:
            dst = package_of(target)
            if src and dst and src != dst:
                out[src].add(dst)
    return out


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
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


def face(package: str) -> set[str]:
    """What ``iki_xlsx.<package>`` lists in ``__all__`` (its public face)."""
    tree = ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


# --------------------------------------------------------------------------- the checker

def test_the_checker_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_sees_relative_and_lazy_imports():
    graph = import_graph()
    assert "iki_xlsx.forms" in graph["iki_xlsx.collect.judge"]  # from ..forms import layout
    assert "iki_xlsx.forms.layout" in graph["iki_xlsx.collect.judge"]
    assert "iki_xlsx.collect" in graph["iki_xlsx.cli.collect"]  # imported inside a command
    assert "iki_xlsx.collect.reading" in graph["iki_xlsx.collect.judge"]


def test_the_package_graph_sees_a_cycle_modules_hide():
    """Two packages importing each other through different modules is a package cycle
    even when no module cycle exists (collect.mailbox → mail.inbox → collect.sources)."""
    graph = {"iki_xlsx.collect.mailbox": {"iki_xlsx.mail.inbox"},
             "iki_xlsx.mail.inbox": {"iki_xlsx.collect.sources"},
             "iki_xlsx.collect.sources": set()}
    assert find_cycle(graph) is None
    assert find_cycle(package_graph(graph)) == ["collect", "mail", "collect"]


# --------------------------------------------------------------------------- the rules

def test_every_package_has_its_layer():
    have = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert have == set(LAYERS)


def test_no_import_cycle_between_modules():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_no_import_cycle_between_packages():
    cycle = find_cycle(package_graph(import_graph()))
    assert cycle is None, "package cycle: " + " → ".join(cycle)


def test_arrows_point_down_the_layers():
    rank = {p: i for i, p in enumerate(LAYERS)}
    wrong = sorted(f"{src} → {dst}" for src, targets in package_graph(import_graph()).items()
                   for dst in targets if rank[dst] > rank[src])
    assert wrong == [], f"imports from a lower step to a higher one ({' → '.join(LAYERS)})"


def test_other_packages_are_used_through_their_face():
    modules = _modules()
    faces = {p: face(p) for p in LAYERS}
    wrong = []
    for name, path in modules.items():
        home = package_of(name)
        for base, imported, line in _imports(name, path):
            pkg = package_of(base) if base != "iki_xlsx" else ""
            if not pkg or pkg == home:
                continue
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            depth = base.split(".")
            if len(depth) == 2:  # from iki_xlsx.<pkg> import name
                if imported not in faces[pkg]:
                    wrong.append(f"{where}: {imported} is not in {pkg}.__all__")
            elif depth[2] not in faces[pkg]:  # from iki_xlsx.<pkg>.<module> import name
                wrong.append(f"{where}: {pkg}.{depth[2]} is not a public module of {pkg}")
    assert wrong == []


def test_nothing_private_is_imported_from_another_module():
    wrong = [f"{path.relative_to(PACKAGE.parent)}:{line}: {imported} from {base}"
             for name, path in _modules().items()
             for base, imported, line in _imports(name, path)
             if imported and imported.startswith("_") and not imported.startswith("__")]
    assert wrong == []


def test_sql_only_in_the_workspace_package():
    sql = re.compile(r"\.execute(many|script)?\(|\bSELECT\b.+\bFROM\b|\bINSERT INTO\b|"
                     r"\bCREATE TABLE\b|\bUPDATE \w+ SET\b")
    offenders = [name for name, path in _modules().items()
                 if package_of(name) != "workspace"
                 and sql.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_few_entries_at_the_top():
    entries = sorted(p.name for p in PACKAGE.iterdir() if p.name != "__pycache__")
    assert len(entries) <= MAX_TOP, entries


@pytest.mark.parametrize("name", sorted(_modules()))
def test_a_module_is_short_or_says_why(name):
    path = _modules()[name]
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    assert lines <= HARD_LIMIT, f"{path.name} has {lines} lines: split it"
    if lines <= SOFT_LIMIT:
        return
    doc = ast.get_docstring(ast.parse(text)) or ""
    assert LONG_REASON in " ".join(doc.lower().split()), \
        f"{path.name} has {lines} lines and no '{LONG_REASON} …' in its docstring"
