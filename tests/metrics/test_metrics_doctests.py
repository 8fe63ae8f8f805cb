"""Run the docstring examples of every metrics module."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import benchmark.metrics as pkg

MODULES = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + "."))


@pytest.mark.parametrize("name", [pkg.__name__, *MODULES])
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_every_public_function_has_an_example():
    for name in pkg.__all__:
        obj = getattr(pkg, name)
        if callable(obj) and not isinstance(obj, type):
            assert obj.__doc__ and ">>>" in obj.__doc__, name
