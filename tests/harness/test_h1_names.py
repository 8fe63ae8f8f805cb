"""System names: default row names (adapter + model slug), the user-name rule, distinct rows."""

from __future__ import annotations

import pytest

from benchmark.names import default_name, slug, validate_system_name
from benchmark.runner import ModelSpec


@pytest.mark.parametrize(
    ("adapter", "options", "expected"),
    [
        ("openai", {"model": "Qwen/Qwen2.5-7B-Instruct"}, "openai-qwen2.5-7b-instruct"),
        ("hf-ner", {"model": "models/msra-char-bert"}, "hf-ner-msra-char-bert"),
        ("hf-ner", {"model": "models/msra-char-bert/"}, "hf-ner-msra-char-bert"),
        ("hf-ner", {"model": "C:\\models\\My Tagger"}, "hf-ner-my-tagger"),
        ("hf-generative", {"model": "/abs/../Llama 3 (8B)!"}, "hf-generative-llama-3-8b"),
        ("openai", {"model": "中文模型/qwen:7b"}, "openai-qwen-7b"),
        ("openai", {"model": "x" * 200}, "openai-" + "x" * (64 - len("openai-"))),
        ("jieba", {}, "jieba"),
        ("jieba", {"hmm": False}, "jieba"),
        ("openai", {"model": ""}, "openai"),
        ("openai", {"model": "///"}, "openai"),
        ("openai", {"model": 3}, "openai"),
    ],
)
def test_default_names(adapter, options, expected):
    name = default_name(adapter, options)
    assert name == expected
    assert validate_system_name(name) == name  # a default name always follows the rule


@pytest.mark.parametrize("name", ["my-system", "a.b_c-2", "人工标注", "human2", "x" * 64])
def test_valid_user_names(name):
    assert validate_system_name(name) == name


@pytest.mark.parametrize("name", ["../../x", "/abs", "a/b", ".hidden", " ", "", "a b", "x" * 65, "a\\b", "-x"])
def test_invalid_user_names(name):
    with pytest.raises(ValueError, match="invalid system name"):
        validate_system_name(name)


def test_slug_is_bounded_and_never_hidden():
    assert slug("..Hello  World..") == "hello-world"
    assert len(slug("ab" * 100)) <= 64


def test_two_configurations_of_one_adapter_get_two_rows():
    a = ModelSpec("hf-ner", {"model": "models/tagger-a"})
    b = ModelSpec("hf-ner", {"model": "models/tagger-b"})
    assert a.model != b.model
    assert ModelSpec("hf-ner", {"model": "models/tagger-a"}, name="mine").model == "mine"
    assert ModelSpec("rules").model == "rules"


def test_list_models_says_how_rows_are_named():
    from benchmark.cli._evaluate import list_models

    lines = list_models().splitlines()
    assert any(line.startswith("Row names:") and "hf-ner-msra-char-bert" in line for line in lines)
