"""Task qa.v1: the gold, its validator rules, the scorer, and the harness end to end."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from benchmark.records import list_runs
from benchmark.runner import ModelSpec, run_model
from benchmark.tasks import get_task
from benchmark.tasks.qa import QAItem, abstains, judge, normalize_answer, polarity, quantities
from benchmark.validate import load_document

# ---- the gold -----------------------------------------------------------------------------


def test_gold_size_and_coverage(article):
    items = article.gold["qa"]
    assert len(items) >= 60
    types = {q.answer_type for q in items}
    assert types == {"number", "entity", "span", "yes_no", "unanswerable"}
    sections = {u.section for u in article.gold["topics"]}
    covered = set()
    for q in items:
        for start, _ in q.evidence:
            covered |= {u.section for u in article.gold["topics"] if u.start <= start < u.end}
    assert covered == sections, sections - covered
    questions = {q.question for q in items}
    assert "冻结被骗资金多少元?" in questions  # a number read correctly
    rates = {q.value for q in items if q.unit == "%"}
    assert {98.78, 99.59} <= rates  # the two clearance rates
    assert any("哪一项" in q.question or "哪一类" in q.question for q in items)  # comparisons
    assert sum(q.answer_type == "unanswerable" for q in items) >= 5


def test_unit_conversion_answers_are_accepted(article):
    q = next(q for q in article.gold["qa"] if q.question == "查冻扣涉案资产多少元?")
    assert judge(q, "7910000000元")["correct"] and judge(q, "79.1亿元")["correct"]
    assert not judge(q, "79.1元")["correct"]


def _rewrite(path: Path, line: int, change) -> None:
    rows = path.read_text(encoding="utf-8").splitlines()
    rows[line - 1] = json.dumps(change(json.loads(rows[line - 1])), ensure_ascii=False)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


CORRUPTIONS = {
    "unknown type": (1, lambda r: r | {"answer_type": "date"}, "qa.jsonl:1: answer_type: 'date'; expected one of"),
    "value disagrees": (10, lambda r: r | {"value": 98.7}, "qa.jsonl:10: answers: '98.78%' does not normalize to 98.7 %"),
    "evidence out of range": (5, lambda r: r | {"evidence": [[0, 99999]]}, "qa.jsonl:5: evidence: evidence[0] = [0, 99999]"),
    "answer not in evidence": (27, lambda r: r | {"answers": ["叶寒", *r["answers"][1:]]} | {"evidence": [[0, 5]]},
                               "qa.jsonl:27: answers: the first answer '叶寒' is not in the evidence"),
    "unanswerable with an answer": (71, lambda r: r | {"answers": ["2000名"]}, "qa.jsonl:71: answers: an unanswerable"),
    "value on a span": (5, lambda r: r | {"value": 1.0}, "qa.jsonl:5: value: only number answers have value"),
    "duplicate id": (2, lambda r: r | {"id": "q01"}, "qa.jsonl:2: id: 'q01' repeats line 1"),
    "evidence not a list of pairs": (3, lambda r: r | {"evidence": [5, 9]}, "qa.jsonl:3: evidence: expected a list of"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corruption_is_caught(gold_copy, name):
    line, change, fragment = CORRUPTIONS[name]
    _rewrite(gold_copy / "qa.jsonl", line, change)
    messages = [str(p) for p in load_document(gold_copy)[1]]
    assert any(fragment in m for m in messages), messages


# ---- the scorer ---------------------------------------------------------------------------

NUM = QAItem("n", "多少人?", ("2.3万余人",), "number", 23000, "人", ((0, 1),))
SPAN = QAItem("s", "什么?", ("逐年下降",), "span", None, None, ((0, 1),))
YESNO = QAItem("y", "是否?", ("否",), "yes_no", None, None, ((0, 1),))
NONE = QAItem("u", "?", ("无法回答",), "unanswerable", None, None, ())

CASES = [
    # item, answer, correct, em, f1 (hand-computed)
    (NUM, "2.3万余人", True, True, 1.0),
    (NUM, "23000人", True, False, 0.0),  # chars {2,3,0,0,0,人} vs {2,.,3,万,余,人}: 3 common → 2·(3/6·3/6)/(1) = 0.5
    (NUM, "约2.3万人", True, False, None),
    (NUM, "2.3万余名", False, False, None),  # wrong unit
    (NUM, "无法回答", False, False, 0.0),
    (SPAN, "“逐年下降”", True, True, 1.0),
    (SPAN, "下降", False, False, 2 * (1.0 * 0.5) / 1.5),
    (YESNO, "没有发生", True, False, None),
    (YESNO, "是", False, False, 0.0),
    (NONE, "无法回答", True, True, 1.0),
    (NONE, "文中未提及。", True, False, None),
    (NONE, "2000名", False, False, 0.0),
    (SPAN, "", False, False, 0.0),
]


@pytest.mark.parametrize(("item", "answer", "correct", "em", "f1"), CASES)
def test_judge_table(item, answer, correct, em, f1):
    result = judge(item, answer)
    assert (result["correct"], result["em"]) == (correct, em)
    if f1 is not None and answer != "23000人":
        assert result["f1"] == pytest.approx(f1)


def test_char_f1_hand_case():
    assert judge(NUM, "23000人")["f1"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [(" “江口沉银案”。", "江口沉银案"), ("98.78%", "98.78%"), ("ＡＢ１", "ab1"), ("7·02", "702")],
)
def test_normalize_answer(text, expected):
    assert normalize_answer(text) == expected


def test_helpers():
    assert (70000, "人次") in quantities("7万余人次") and (70000, "人") in quantities("7万余人次")
    assert polarity("否") == polarity("没有") == "no" and polarity("是的") == "yes" and polarity("也许") is None
    assert abstains("无法回答") and not abstains("2000名")


def test_scores_and_intervals(article):
    from benchmark.scoring import score_task
    from benchmark.tasks.base import ScoringContext

    task = get_task("qa")
    gold = article.gold["qa"]
    # every number question answered with the canonical answer, everything else abstains
    preds = [replace(q, answers=(q.answers[0] if q.answer_type == "number" else "无法回答",)) for q in gold]
    result = score_task(task, [article], {article.id: preds}, ScoringContext(), n_resamples=200)
    h = result["headline"]
    n_number = sum(q.answer_type == "number" for q in gold)
    n_none = sum(q.answer_type == "unanswerable" for q in gold)
    assert h["accuracy"]["estimate"] == pytest.approx((n_number + n_none) / len(gold))
    assert h["numeric_accuracy"]["estimate"] == 1.0
    assert h["unanswerable_accuracy"]["estimate"] == 1.0
    assert h["accuracy"]["low"] < h["accuracy"]["estimate"] < h["accuracy"]["high"]


def test_harness_runs_qa_with_the_oracle(corpus, tmp_path):
    summary = run_model(ModelSpec("oracle"), corpus, ["qa"], results=tmp_path, n_resamples=20)
    assert summary.status == "ok"
    run = list_runs(tmp_path)[0]
    assert run.scores["qa"]["headline"]["accuracy"]["estimate"] == 1.0
    assert run.meta["tasks"]["qa"]["task"] == "qa.v1"
