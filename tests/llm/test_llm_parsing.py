"""Tolerant JSON parsing of model answers, and the normalization of fields (case tables)."""

from __future__ import annotations

import pytest

from benchmark.tasks.llm_parse import AnswerError, as_item_list, as_object, parse_json_answer, repair_json
from benchmark.tasks.ner import LABELS
from benchmark.tasks.ner_llm import normalize_label
from benchmark.tasks.numeric_llm import normalize_qualifier, read_fact

ENTS = [{"text": "成都", "label": "GPE"}]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ('[{"text": "成都", "label": "GPE"}]', ENTS),
        ('```json\n[{"text": "成都", "label": "GPE"}]\n```', ENTS),
        ('```\n[{"text": "成都", "label": "GPE"}]\n```\n以上。', ENTS),
        ('好的，结果如下：\n[{"text": "成都", "label": "GPE"}]\n希望对你有帮助。', ENTS),
        ('[{"text": "成都", "label": "GPE"},]', ENTS),
        ('[{"text": "成都", "label": "GPE",},\n]', ENTS),
        ('[{“text”：“成都”，“label”：“GPE”}]', ENTS),
        ('［｛"text"："成都"，"label"："GPE"｝］', ENTS),
        ("[{'text': '成都', 'label': 'GPE'}]", ENTS),
        ('<think>先找地名。[不是答案]</think>[{"text": "成都", "label": "GPE"}]', ENTS),
        ('[注意] 输出：[{"text": "成都", "label": "GPE"}]', ENTS),
        ('{"text": "成都", "label": "GPE"}', {"text": "成都", "label": "GPE"}),
        ("[]", []),
        # quotes inside a value are kept when the string is ASCII-quoted
        ('[{"text": "“百城”行动", "label": "EVENT"}]', [{"text": "“百城”行动", "label": "EVENT"}]),
        # a curly-quoted value with inner curly quotes that do not end the string
        ('[{“text”：““百城”行动”，“label”：“EVENT”}]', [{"text": "“百城”行动", "label": "EVENT"}]),
        ('{"section": "lead", "topics": ["overview"]}', {"section": "lead", "topics": ["overview"]}),
        ('{"text": "第一行\n第二行"}', {"text": "第一行\n第二行"}),
    ],
)
def test_parse_json_answer_tolerates(answer: str, expected: object) -> None:
    assert parse_json_answer(answer) == expected


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("", "empty answer"),
        ("   \n", "empty answer"),
        ("没有找到实体。", "no JSON array or object"),
        ('[{"text": "成都", "label": "GPE"}, {"text": "四', "unterminated"),
        ("<think>还在想", "unfinished <think>"),
        ("[{text: 成都}]", "invalid JSON"),
        ("tttttttt", "no JSON"),
    ],
)
def test_parse_json_answer_failures_say_why(answer: str, reason: str) -> None:
    with pytest.raises(AnswerError, match=reason):
        parse_json_answer(answer)


def test_repair_json_leaves_valid_json_alone() -> None:
    valid = '{"a": "x，y：“z”", "b": [1, 2], "c": "\\"q\\""}'
    assert repair_json(valid) == valid


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (ENTS, ENTS),
        ({"entities": ENTS}, ENTS),
        ({"实体": ENTS}, ENTS),
        ({"Results": ENTS}, ENTS),
        ({"text": "成都", "label": "GPE"}, [{"text": "成都", "label": "GPE"}]),
        ({}, []),
    ],
)
def test_as_item_list(value: object, expected: object) -> None:
    assert as_item_list(value) == expected


@pytest.mark.parametrize("value", [{"foo": 1}, "成都", 3, None])
def test_as_item_list_rejects(value: object) -> None:
    with pytest.raises(AnswerError):
        as_item_list(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"section": "lead", "topics": ["overview"]}, {"section": "lead", "topics": ["overview"]}),
        ([{"Section": "lead", "Topics": "overview"}], {"section": "lead", "topics": "overview"}),
        ({"result": {"版块": "duty", "主题": ["crime"]}}, {"section": "duty", "topics": ["crime"]}),
        ({"“section”": "lead"}, {"section": "lead"}),
    ],
)
def test_as_object(value: object, expected: object) -> None:
    assert as_object(value, ("section", "topics")) == expected


@pytest.mark.parametrize("value", [[], [{}, {}], "lead", 1])
def test_as_object_rejects(value: object) -> None:
    with pytest.raises(AnswerError):
        as_object(value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("GPE", "GPE"), (" per ", "PER"), ("person", "PER"), ("人名", "PER"), ("机构", "ORG"),
     ("location", "LOC"), ("MISC", None), ("", None), (None, None), (3, None)],
)  # fmt: skip
def test_normalize_label(raw: object, expected: str | None) -> None:
    assert normalize_label(raw, LABELS) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("exact", "exact"), ("Approx", "approx"), ("at-least", "at_least"), ("at most", "at_most"),
     ("about", None), (None, None)],
)  # fmt: skip
def test_normalize_qualifier(raw: object, expected: str | None) -> None:
    assert normalize_qualifier(raw) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"text": "15起", "value": 15, "unit": "起", "qualifier": "exact", "metric": "破获盗窃案件"},
         ("15起", 15, "起", "exact", "破获盗窃案件")),
        ({"text": "1.5万元", "value": "15000.0", "unit": "元", "metric": "罚款"},
         ("1.5万元", 15000, "元", "exact", "罚款")),
        ({"数量": "12.5%", "数值": 12.5, "单位": "%", "限定": "exact", "指标": "下降"},
         ("12.5%", 12.5, "%", "exact", "下降")),
        ({"text": "15起", "value": "十五", "unit": "起", "metric": "案件"}, None),
        ({"text": "15起", "value": True, "unit": "起", "metric": "案件"}, None),
        ({"text": "15起", "value": 15, "unit": "起", "qualifier": "maybe", "metric": "案件"}, None),
        ({"text": "15起", "value": 15, "unit": "起"}, None),
        ({"text": "", "value": 15, "unit": "起", "metric": "案件"}, None),
        (["15起"], None),
    ],
)  # fmt: skip
def test_read_fact(item: object, expected: tuple | None) -> None:
    fact = read_fact(item)
    got = None if fact is None else (fact.text, fact.value, fact.unit, fact.qualifier, fact.metric)
    assert got == expected
    if fact is not None:
        assert type(fact.value) is type(expected[1])
