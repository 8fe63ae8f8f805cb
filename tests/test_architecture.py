"""Architecture rules: no import cycle inside the package, and no framework module names a task.

Imports are read with :mod:`ast`, including imports inside functions (a lazy import still
makes a cycle; it only hides it until run time). Imports under ``if TYPE_CHECKING:`` never
run and are not counted.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "benchmark"


def _module_names() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _module_names()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes under ``if TYPE_CHECKING:`` (never executed)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped |= {id(n) for n in ast.walk(child)}
    return skipped


def _resolve(name: str) -> str | None:
    """The package module that ``name`` (a module or a name inside one) belongs to."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> dict[str, int]:
    """Package modules imported by ``module`` (anywhere in it, functions included) -> first line."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names
            ]
        for target in targets:
            resolved = _resolve(target) if target.split(".")[0] == "benchmark" else None
            if resolved and resolved != module:
                found.setdefault(resolved, node.lineno)
    return found


def import_cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_a_cycle_through_a_function_level_import(tmp_path):
    assert import_cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b": 1}, "b": {}}) == []
    # the parser sees an import inside a function, and skips TYPE_CHECKING blocks
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import x\ndef f():\n    import y\n"
    tree = ast.parse(source)
    skipped = _type_checking_nodes(tree)
    names = [
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) and id(n) not in skipped for a in n.names
    ]
    assert names == ["y"]


def test_no_import_cycle_in_the_package():
    graph = {module: imports_of(module) for module in MODULES}
    cycles = import_cycles(graph)
    detail = [
        " -> ".join(cycle)
        + ": "
        + "; ".join(f"{m} imports {d} (line {graph[m][d]})" for m in cycle for d in graph[m] if d in cycle)
        for cycle in cycles
    ]
    assert not cycles, "import cycles:\n" + "\n".join(detail)


# ------------------------------------------------------------------------------ task names

TASK_LITERALS = re.compile(
    r"""(['"])(ner|numeric|topics|qa|entities\.jsonl|numeric_facts\.jsonl|paragraphs\.jsonl|qa\.jsonl)\1"""
)
"""A built-in task's key or gold file name as a string literal."""

TASK_MODULE_IMPORT = re.compile(r"benchmark\.tasks\.(ner|numeric|topics|qa)\b")
"""An import of a built-in task's own module (its constants are the task's business)."""

# Framework modules that still name tasks, with who is removing them (issue 10). Remove a
# line when its module is clean; the test fails on a listed module that no longer needs it,
# so this list only shrinks.
ALLOWED: dict[str, str] = {
}

# String literals that equal a task name but are a record field of the same name.
FIELD_NAMES: set[tuple[str, str]] = {
    ("benchmark/metrics/topics.py", "'topics'"),  # the Paragraph record's field ``topics``
}


def framework_modules() -> list[Path]:
    """Modules of the package outside ``benchmark/tasks/`` that may not name a task.

    Adapter modules (``benchmark/adapters/*``) are left out: an adapter declares the tasks it
    serves and may dispatch on them. ``benchmark/adapters/base.py``, the contract, is in.
    """
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("benchmark/tasks/"):
            continue
        if rel.startswith("benchmark/adapters/") and rel != "benchmark/adapters/base.py":
            continue
        out.append(path)
    return out


def task_name_uses(path: Path) -> list[str]:
    """``file:line: text`` of every task literal or task-module import in ``path`` (comments
    and docstrings aside: only string constants in code and import statements count)."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    rel = path.relative_to(ROOT).as_posix()
    hits = []
    for node in ast.walk(tree):
        text = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if TASK_LITERALS.fullmatch(repr(node.value)) or TASK_LITERALS.fullmatch(f'"{node.value}"'):
                text = repr(node.value)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            statement = ast.unparse(node)
            if TASK_MODULE_IMPORT.search(statement) or (
                isinstance(node, ast.ImportFrom)
                and node.module == "benchmark.tasks"
                and any(a.name in ("ner", "numeric", "topics", "qa") for a in node.names)
            ):
                text = statement
        if text is not None:
            hits.append(f"{rel}:{node.lineno}: {text}")
    return sorted(set(hits), key=lambda h: (int(h.split(":")[1]), h))


def test_the_task_name_finder_finds_literals_and_imports(tmp_path):
    probe = PACKAGE / "_probe_for_architecture_test.py"
    try:
        probe.write_text(
            '"""Docstring naming "ner" is fine."""\n'
            "from benchmark.tasks.ner import LABELS\n"
            "KEYS = {'topics': 1}\n"
            "def f(task):\n"
            '    # a comment naming "qa" is fine\n'
            "    return task == \"numeric\" or task.gold_file == 'qa.jsonl'\n",
            encoding="utf-8",
        )
        hits = task_name_uses(probe)
    finally:
        probe.unlink()
    assert [h.split(": ", 1)[1] for h in hits] == [
        "from benchmark.tasks.ner import LABELS",
        "'topics'",
        "'numeric'",
        "'qa.jsonl'",
    ]
    assert task_name_uses(PACKAGE / "errors.py") == []


def test_no_framework_module_names_a_task():
    offenders: dict[str, list[str]] = {}
    for path in framework_modules():
        rel = path.relative_to(ROOT).as_posix()
        hits = [h for h in task_name_uses(path) if (rel, h.split(": ", 1)[1]) not in FIELD_NAMES]
        if hits:
            offenders[path.relative_to(ROOT).as_posix()] = hits
    unexpected = {rel: hits for rel, hits in offenders.items() if rel not in ALLOWED}
    assert not unexpected, "framework modules naming a task (move it onto the task):\n" + "\n".join(
        hit for hits in unexpected.values() for hit in hits
    )
    cleaned = sorted(set(ALLOWED) - set(offenders))
    assert not cleaned, f"these modules no longer name a task: remove them from ALLOWED: {cleaned}"


@pytest.mark.parametrize("rel", sorted(ALLOWED))
def test_allow_list_entries_exist(rel):
    assert (ROOT / rel).is_file(), rel
