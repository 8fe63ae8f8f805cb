"""Adapter options: unknown keys suggest a close name, wrong types say what was expected."""

from __future__ import annotations

import pytest

from benchmark.adapters import get_adapter
from benchmark.adapters.options import OptionError


def test_unknown_option_suggests_the_close_name() -> None:
    with pytest.raises(OptionError, match=r"rules: unknown option 'min_hit'; did you mean 'min_hits'\?"):
        get_adapter("rules").from_config({"min_hit": "3"})


def test_wrong_type_names_the_option_and_the_type() -> None:
    with pytest.raises(OptionError, match=r"rules: option 'min_hits': expected int, got 'many'"):
        get_adapter("rules").from_config({"min_hits": "many"})
    with pytest.raises(OptionError, match=r"jieba: option 'hmm': expected true or false, got 'maybe'"):
        get_adapter("jieba").from_config({"hmm": "maybe"})


def test_string_values_are_coerced() -> None:
    adapter = get_adapter("tfidf-logreg").from_config({"c": "2.5", "threshold": "0.4"})
    assert adapter.options.c == 2.5 and adapter.options.threshold == 0.4
    assert adapter.config()["c"] == 2.5


def test_options_are_frozen() -> None:
    adapter = get_adapter("rules")()
    with pytest.raises(AttributeError):
        adapter.options.min_hits = 5  # type: ignore[misc]
