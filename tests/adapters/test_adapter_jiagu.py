"""The jiagu adapter: word tags to character spans, and the shipped model on a sentence."""

from __future__ import annotations

import pytest

from benchmark.adapters import InputDocument, get_adapter
from benchmark.adapters.jiagu_ner import word_offsets, word_tags_to_spans


@pytest.mark.parametrize(
    ("line", "words", "tags", "spans"),
    [
        ("王涛在四川", ["王涛", "在", "四川"], ["B-PER", "O", "B-LOC"], [(0, 2, "PER"), (3, 5, "LOC")]),
        # a name cut into characters is one span; an I- that continues nothing is dropped
        ("记者李逢春", ["记者", "李", "逢", "春"], ["O", "B-PER", "I-PER", "I-PER"], [(2, 5, "PER")]),
        ("四川公安", ["四川", "公安"], ["I-ORG", "I-ORG"], []),
        # two B- in a row are two entities
        ("华西都市报", ["华西", "都市报"], ["B-LOC", "B-LOC"], [(0, 2, "LOC"), (2, 5, "LOC")]),
        # words that do not cover the line are aligned by search
        ("王涛 在", ["王涛", "在"], ["B-PER", "O"], [(0, 2, "PER")]),
    ],
)  # fmt: skip
def test_word_tags_to_spans(line: str, words: list[str], tags: list[str], spans: list[tuple]) -> None:
    assert word_tags_to_spans(line, words, tags) == spans


def test_word_offsets_need_exact_cover() -> None:
    assert word_offsets("a b", ["a", " ", "b"]) == [(0, 1), (1, 2), (2, 3)]
    assert word_offsets("a b", ["a", "b"]) is None


def test_the_shipped_model_tags_a_sentence() -> None:
    cls = get_adapter("jiagu")
    ok, hint = cls.available()
    if not ok:
        pytest.skip(hint)
    text = "王涛在四川省公安厅工作。\n  记者 李逢春\t摄"
    lines = ((0, 12), (13, len(text)))
    adapter = cls()
    adapter.load()
    [pred] = adapter.predict("ner", [InputDocument("d", text, lines, lines)])
    assert [(e.start, e.end, e.text, e.label) for e in pred.records] == [
        (0, 2, "王涛", "PER"),
        (3, 9, "四川省公安厅", "ORG"),
        (18, 21, "李逢春", "PER"),  # the tab jiagu tags with the name is trimmed
    ]
