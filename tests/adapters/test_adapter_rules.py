"""The rule baseline: regex dates and quantities, section heuristic, doctests of the adapter modules."""

from __future__ import annotations

import doctest
import importlib

import pytest

from benchmark.adapters import InputDocument
from benchmark.adapters.rules import assign_sections, find_dates, find_quantities
from benchmark.document import Document


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("侦办涉黑案件45起", [("45起", 45, "exact", "侦办涉黑案件")]),
        ("参训参演民警辅警7万余人次", [("7万余人次", 70000, "approx", "参训参演民警辅警")]),
        (
            "所平均警力上升为11人,消除5人以下派出所",
            [("11人", 11, "exact", "所平均警力"), ("5人以下", 5, "at_most", "派出所")],
        ),
        ("查冻扣涉案资产79.1亿元", [("79.1亿元", 7910000000, "exact", "查冻扣涉案资产")]),
        ("近三年为全省提供支撑", [("三年", 3, "exact", "为全省")]),
        ("2020年,1月8日,第八次会议,一份成绩单,一次性死亡,“三项”体检", []),
        ("十一届三次、四次全会精神", []),
    ],
)
def test_rule_quantities(text: str, expected: list[tuple]) -> None:
    got = find_quantities(text)
    assert [(f.text, f.value, f.qualifier, f.metric) for f in got] == expected


def test_rule_dates() -> None:
    text = "2020年刚刚过去,1月8日召开2021四川公安“2020成绩单”,2000余场,2029个派出所"
    assert [e.text for e in find_dates(text)] == ["2020年", "1月8日", "2021", "2020"]


def test_section_heuristic_on_the_article(gold_doc: Document, article: InputDocument) -> None:
    gold = [p.section for p in gold_doc.gold["topics"]]
    assert assign_sections(article) == gold


@pytest.mark.parametrize(
    "module", ["_tagging", "rules", "jieba_pos", "thulac_pos", "lac_pos", "oracle", "sklearn_topics"]
)
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(f"benchmark.adapters.{module}"))
    assert result.failed == 0
