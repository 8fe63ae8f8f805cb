"""The oracle returns the gold exactly."""

from __future__ import annotations

import pytest

from benchmark.adapters import InputDocument, get_adapter
from benchmark.document import Document
from benchmark.tasks import TASKS


@pytest.mark.parametrize("task", TASKS.names())
def test_oracle_returns_the_gold(task: str, gold_doc: Document, article: InputDocument) -> None:
    oracle = get_adapter("oracle")()
    assert oracle.reads == "gold"
    oracle.load()
    [pred] = oracle.predict(task, [article])
    assert pred.records == gold_doc.gold[task]
    assert pred.problems == []


def test_oracle_reports_an_unknown_document(article: InputDocument) -> None:
    oracle = get_adapter("oracle")()
    other = InputDocument("nope", article.text, article.units, article.lines)
    [pred] = oracle.predict("ner", [other])
    assert pred.records == [] and "nope" in pred.problems[0]
