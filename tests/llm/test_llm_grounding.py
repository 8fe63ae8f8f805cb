"""Interpreting answers through the tasks' parsers: mentions, numeric grounding, topics without
fallbacks, and failure counts (a canned backend behind the real ``LLMAdapter.predict``)."""

from __future__ import annotations

import json

import pytest
from llm_fakes import canned_adapter, make_input

from benchmark.adapters.base import InputDocument, Mention
from benchmark.schema import NumericFact, Paragraph
from benchmark.tasks import get_task
from benchmark.validate import surface_problems


def run(task: str, doc: InputDocument, answers: list[str | None], unit: str = "line"):
    return canned_adapter(answers, unit=unit).predict(task, [doc])[0]


def fact(text: str, value: float, unit: str, metric: str, qualifier: str = "exact") -> dict:
    return {"text": text, "value": value, "unit": unit, "qualifier": qualifier, "metric": metric}


def test_ner_mentions_and_counts(small_doc: InputDocument) -> None:
    answers = [
        '[{"text": "市公安局", "label": "ORG"}]',
        "这一行没有实体",
        '```json\n[{"text": "张明", "label": "person"}, {"text": "局长", "label": "TITLE"},'
        ' {"text": "南江县", "label": "PLACE"}, {"label": "GPE"}]\n```',
    ]
    pred = run("ner", small_doc, answers)
    assert pred.mentions == [Mention(0, "市公安局", "ORG"), Mention(2, "张明", "PER"), Mention(2, "局长", "TITLE")]
    assert pred.info["llm"]["requests"] == 3 and pred.info["llm"]["parse_failures"] == 1
    assert pred.info["llm"]["parse_failure_rate"] == 1 / 3
    assert pred.info["llm"]["items"] == 5 and pred.info["llm"]["grounding_failures"] == 0
    assert pred.info["counts"] == {"invalid_items": 2, "parse_failures": 1}
    assert len(pred.problems) == 3 and pred.problems[0].startswith("line 1: unparseable answer")
    assert pred.info["prompt_sha256"] == get_task("ner").llm_prompt().sha256


def test_ner_document_mode_names_every_line(small_doc: InputDocument) -> None:
    pred = run("ner", small_doc, ['[{"text": "5名", "label": "DATE"}, {"text": "成都", "label": "GPE"}]'], "document")
    assert pred.mentions == [Mention(1, "5名", "DATE")]
    assert pred.info["counts"] == {"ungrounded": 1}
    assert pred.info["llm"]["grounding_failures"] == 1 and pred.info["llm"]["grounding_failure_rate"] == 0.5


def test_numeric_grounding(small_doc: InputDocument) -> None:
    # line 1: 全市破获盗窃案件15起，抓获5名嫌疑人，另有5名在逃。
    answer = json.dumps([
        fact("15起", 15, "起", "破获盗窃案件"),
        fact("5名", 5, "名", "嫌疑人"),
        fact("5名", 5, "名", "在逃"),
        fact("5名", 5, "名", "嫌疑人"),          # a third 5名: every occurrence is taken
        fact("盗窃案件15起", 15, "起", "全市"),   # overlaps 15起
        fact("20起", 20, "起", "案件"),           # not in the line
        fact("15起", 15, "起", "逃犯"),           # metric not in the line
        {"text": "5名", "value": "五"},           # invalid
    ], ensure_ascii=False)  # fmt: skip
    pred = run("numeric", small_doc, ["[]", answer, "[]"])
    text = small_doc.text
    got = [(r.text, r.start, r.metric, text[r.metric_start : r.metric_end]) for r in pred.records]
    assert got == [("15起", 15, "破获盗窃案件", "破获盗窃案件"), ("5名", 21, "嫌疑人", "嫌疑人"),
                   ("5名", 29, "在逃", "在逃")]  # fmt: skip
    assert pred.records[1].metric_start == 23  # after the quantity, nearest
    assert pred.info["counts"] == {"invalid_items": 1, "overlapping": 3, "ungrounded": 1}
    assert pred.info["llm"]["grounding_failures"] == 4 and pred.info["llm"]["items"] == 8
    assert len(pred.problems) == 5
    assert surface_problems(text, pred.records, file="x") == []


def test_numeric_quantity_never_starts_inside_a_number() -> None:
    doc = make_input("新增派出所15个，警务室5个。\n")
    answer = [fact("5个", 5, "个", "警务室"), fact("15个", 15, "个", "中队")]  # no 中队 in the line
    pred = run("numeric", doc, [json.dumps(answer, ensure_ascii=False)])
    assert [(r.start, r.text, r.metric) for r in pred.records] == [(12, "5个", "警务室")]
    assert pred.info["counts"] == {"ungrounded": 1}


def test_numeric_document_mode_and_quoted_metric(small_doc: InputDocument) -> None:
    answer = json.dumps([fact("5名", 5, "名", "“在逃”")], ensure_ascii=False)
    pred = run("numeric", small_doc, [answer], "document")
    assert [(r.start, r.metric) for r in pred.records] == [(21, "在逃")]


def test_numeric_records_pass_the_task_check(gold_doc, article: InputDocument) -> None:
    answers = ["[]"] * len(article.lines)
    for i, (s, e) in enumerate(article.lines):
        if "98.78%" in article.text[s:e]:
            answers[i] = json.dumps([fact("98.78%", 98.78, "%", "命案现案破案率")], ensure_ascii=False)
    pred = run("numeric", article, answers)
    assert len(pred.records) == 2 and all(isinstance(r, NumericFact) for r in pred.records)
    problems = surface_problems(article.text, pred.records, file="x")
    problems += get_task("numeric").check(gold_doc, pred.records, file="x", gold=False)
    assert problems == []


def test_topics_failed_units_are_left_out_never_guessed(gold_doc, article: InputDocument) -> None:
    n = len(article.units)
    answers: list[str | None] = ['{"section": "masthead", "topics": ["page_furniture"]}'] * n
    answers[0] = '{"section": "Lead", "topics": ["overview", "crime", "overview", "weather"]}'
    answers[1] = '{"section": "appendix", "topics": ["crime"]}'
    answers[2] = "无法判断"
    answers[3] = None
    answers[4] = '{"section": "duty", "topics": ["weather"]}'
    pred = run("topics", article, answers)
    assert [(r.start, r.end) for r in pred.records] == [article.units[0], *article.units[5:]]
    assert pred.records[0] == Paragraph(*article.units[0], "lead", ("overview", "crime"))
    assert pred.info["counts"] == {"parse_failures": 3, "request_failures": 1, "unknown_topics": 1}
    assert pred.info["llm"]["parse_failure_rate"] == 3 / (n - 1)
    assert pred.info["llm"]["units_answered"] == n - 4
    assert any("unknown section 'appendix'" in p for p in pred.problems)
    assert get_task("topics").check(gold_doc, pred.records, file="x", gold=False) == []


def test_topics_document_mode(small_doc: InputDocument) -> None:
    answer = '[{"id": 2, "section": "duty", "topics": ["crime"]}, {"id": 9, "section": "duty"}, "x"]'
    pred = run("topics", small_doc, [answer], "document")
    assert [(r.section, r.topics) for r in pred.records] == [("duty", ("crime",))]
    assert pred.info["counts"] == {"invalid_items": 2, "unanswered_units": 1}
    assert pred.info["llm"]["parse_failures"] == 0


def test_all_garbage_fails_the_task(small_doc: InputDocument) -> None:
    with pytest.raises(RuntimeError, match=r"every answer failed to parse: 3 of 3 unusable .*line 0: unparseable"):
        run("ner", small_doc, ["好的", "```json\n[{", '{"x": 1}'])
    with pytest.raises(RuntimeError, match="every answer failed to parse: 1 of 1"):
        run("topics", small_doc, ['[{"id": 1, "section": "none"}]'], "document")
