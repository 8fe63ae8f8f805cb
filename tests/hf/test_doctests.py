"""The examples in the docstrings of the hf-ner modules and the training script run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "benchmark.adapters._bio",
    "benchmark.adapters.label_maps",
    "benchmark.adapters.hf_token_classification",
]


@pytest.mark.parametrize("name", MODULES)
def test_module_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_training_script_doctests(train_script) -> None:
    result = doctest.testmod(train_script, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
