"""The docstring examples of every module of the package and of every script run.

Pytest's ``--doctest-modules`` would also import each ``tests/**/conftest.py`` as a plain
module named ``conftest`` (they collide), so the examples are run from here instead.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

import benchmark

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(m.name for m in pkgutil.walk_packages(benchmark.__path__, "benchmark."))
SCRIPTS = sorted(p.stem for p in (ROOT / "scripts").glob("*.py"))
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("name", ["benchmark", *MODULES])
def test_module_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS)
    assert result.failed == 0, name


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_examples(name: str) -> None:
    spec = importlib.util.spec_from_file_location(f"_script_{name}", ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = doctest.testmod(module, optionflags=FLAGS)
    assert result.failed == 0, name


def test_every_public_metric_has_an_example():
    import benchmark.metrics as metrics

    for name in metrics.__all__:
        obj = getattr(metrics, name)
        if callable(obj) and not isinstance(obj, type):
            assert obj.__doc__ and ">>>" in obj.__doc__, name


def test_examples_exist():
    """Guard against a collection change that silently finds no examples."""
    attempted = sum(
        doctest.testmod(importlib.import_module(n), optionflags=FLAGS, report=False).attempted
        for n in ("benchmark.normalize", "benchmark.registry", "benchmark.metrics.counts")
    )
    assert attempted >= 10
