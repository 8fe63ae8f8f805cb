"""The plug-in registry and the task registry."""

import pytest

from benchmark.registry import Registry, UnknownNameError
from benchmark.tasks import TASKS, get_task


def test_unknown_name_suggests():
    reg: Registry[int] = Registry("thing")
    reg.register("jieba")(1)
    reg.register("thulac")(2)
    with pytest.raises(
        UnknownNameError, match=r"unknown thing 'jeiba'; did you mean 'jieba'\? Known: jieba, thulac"
    ):
        reg.get("jeiba")
    with pytest.raises(UnknownNameError, match=r"unknown thing 'zzz' Known: jieba, thulac"):
        reg.get("zzz")


def test_double_registration_rejected():
    reg: Registry[int] = Registry("thing")
    reg.register("a")(1)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("a")(2)


def test_tasks_registered_with_versions():
    assert TASKS.names() == ["ner", "numeric", "qa", "topics"]
    assert [get_task(k).name for k in TASKS.names()] == ["ner.v1", "numeric.v1", "qa.v2", "topics.v1"]
    assert len({get_task(k).gold_file for k in TASKS.names()}) == len(TASKS.names())


def test_declared_modules_are_imported_on_first_lookup_only():
    reg: Registry[type] = Registry("thing")
    reg.declare("fraction", "fractions")  # the stdlib module registers nothing: a wrong table
    assert reg.names() == ["fraction"] and "fraction" in reg
    with pytest.raises(LookupError, match="importing fractions did not register thing 'fraction'"):
        reg.get("fraction")


def test_the_built_in_adapter_table_matches_what_each_module_registers():
    """Every adapter module under benchmark/adapters registers exactly the names BUILT_IN maps to it."""
    import ast
    import importlib
    from pathlib import Path

    import benchmark.adapters as package
    from benchmark.adapters import ADAPTERS, BUILT_IN

    folder = Path(package.__file__).parent
    registering = {
        f.stem
        for f in folder.glob("*.py")
        if any(
            isinstance(d, ast.Name) and d.id == "register_adapter"
            for node in ast.walk(ast.parse(f.read_text(encoding="utf-8")))
            if isinstance(node, ast.ClassDef)
            for d in node.decorator_list
        )
    }
    assert registering == set(BUILT_IN.values())
    for module in sorted(registering):
        importlib.import_module(f"benchmark.adapters.{module}")
    by_module = {
        name: ADAPTERS.get(name).__module__.rsplit(".", 1)[-1] for name in BUILT_IN if name in ADAPTERS
    }
    assert by_module == BUILT_IN


def test_a_light_run_imports_only_its_adapter():
    import ast
    import subprocess
    import sys

    code = (
        "import sys; from benchmark.adapters import get_adapter; get_adapter('jieba'); "
        "print(sorted(m for m in sys.modules if m.startswith('benchmark.adapters.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(ast.literal_eval(out))
    assert "benchmark.adapters.jieba_pos" in loaded
    assert not loaded & {"benchmark.adapters.openai_compatible", "benchmark.adapters.hf_generative"}
