"""Task qa.v2: the gold, its validator rules, the prediction type, the scorer, and the harness."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from benchmark.metrics.qa import RULES
from benchmark.records import list_runs
from benchmark.runner import ModelSpec, run_model
from benchmark.tasks import get_task
from benchmark.tasks.base import ScoringContext
from benchmark.tasks.qa import QAPrediction, judge
from benchmark.validate import load_document, validate_predictions

ROOT = Path(__file__).resolve().parents[2]
ANNOTATIONS = ROOT / "annotations"
ARTICLE_ID = "sichuan-police-2020"

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


def test_the_gold_passes_the_validator():
    assert load_document(ANNOTATIONS / ARTICLE_ID)[1] == []


def test_v2_gold_decisions(article):
    """GUIDELINES D-D13/D-D14: comparisons are spans, apps and platforms are not entities, the
    debatable questions are unambiguous."""
    by_id = {q.id: q for q in article.gold["qa"]}
    comparisons = [q for q in by_id.values() if "哪一项" in q.question or "哪一类" in q.question]
    assert len(comparisons) >= 3 and {q.answer_type for q in comparisons} == {"span"}
    assert by_id["q04"].answer_type == by_id["q61"].answer_type == "span"
    assert "关键词" in by_id["q19"].question and by_id["q19"].value == 99.59
    assert "省公安厅" in by_id["q11"].answers and len(by_id["q11"].evidence) == 2
    assert "第几版" in by_id["q01"].question


def test_unit_conversion_answers_are_accepted(article):
    q = next(q for q in article.gold["qa"] if q.question == "查冻扣涉案资产多少元?")
    assert judge(q, "7910000000元").correct and judge(q, "79.1亿元").correct and judge(q, "79.1亿").correct
    assert not judge(q, "79.1元").correct and not judge(q, "79.1万元").correct


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
    "another value listed": (13, lambda r: r | {"answers": [*r["answers"], "29人"]},
                             "qa.jsonl:13: answers: '29人' does not normalize to 28 名 (GUIDELINES D-D6)"),
    "人次 listed for 名": (13, lambda r: r | {"answers": [*r["answers"], "28人次"]},
                         "qa.jsonl:13: answers: '28人次' does not normalize to 28 名"),
    "canonical with another unit": (13, lambda r: r | {"answers": ["28人", "28名"]},
                                    "qa.jsonl:13: answers: '28人' does not normalize to 28 名"),
}  # fmt: skip


def test_equivalent_measure_words_may_be_listed(gold_copy):
    _rewrite(gold_copy / "qa.jsonl", 13, lambda r: r | {"answers": ["28名", "28人", "28位", "二十八名"]})
    assert load_document(gold_copy)[1] == []


# ---- predictions: only id and answers -----------------------------------------------------


def test_a_prediction_needs_only_id_and_answers(article, tmp_path):
    task = get_task("qa")
    assert task.pred_type is QAPrediction
    path = tmp_path / "qa.jsonl"
    path.write_text(
        '{"id": "q37", "answers": ["79.1亿"]}\n{"id": "q13", "answers": ["28位", "28名"]}\n', "utf-8"
    )
    records, problems = validate_predictions(path, article, task)
    assert problems == [] and records == [
        QAPrediction("q37", ("79.1亿",)),
        QAPrediction("q13", ("28位", "28名")),
    ]
    rows = {r["id"]: r for r in task.details(article, records, ScoringContext())["questions"]}
    assert rows["q37"]["rule"] == rows["q13"]["rule"] == "measure-word"


def test_the_gold_file_is_a_valid_perfect_prediction(article, tmp_path):
    task = get_task("qa")
    records, problems = validate_predictions(ANNOTATIONS / ARTICLE_ID / "qa.jsonl", article, task)
    assert problems == [] and len(records) == len(article.gold["qa"])
    assert all(isinstance(r, QAPrediction) for r in records)
    stats = task.unit_stats(article, records, ScoringContext())
    assert stats["accuracy"][:, 0].all() and stats["exact_match"][:, 0].all()


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ('{"id": "q01"}', "qa.jsonl:1: answers: missing field"),
        ('{"id": "q01", "answers": "A7"}', "qa.jsonl:1: answers: expected a list"),
        (
            '{"id": "q99", "answers": ["A7"]}',
            "qa.jsonl:1: id: 'q99' is not a question of sichuan-police-2020",
        ),
        ('{"id": "q01", "answers": ["A7"], "score": 1}', "qa.jsonl:1: score: unknown field"),
    ],
)
def test_bad_predictions_are_located(article, tmp_path, line, fragment):
    path = tmp_path / "qa.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    messages = [str(p) for p in validate_predictions(path, article, get_task("qa"))[1]]
    assert any(fragment in m for m in messages), messages


def test_stored_bm25_predictions_still_score(article):
    """The committed bm25-qa run (qa.v1 records with every gold field) validates and scores under qa.v2."""
    stored = sorted((ROOT / "results" / "runs" / "bm25-qa").glob(f"*/predictions/{ARTICLE_ID}/qa.jsonl"))
    if not stored:
        pytest.skip("no stored bm25-qa run")
    task = get_task("qa")
    for path in stored:
        records, problems = validate_predictions(path, article, task)
        if problems:  # a run on a robustness variant: its ids are the article's, its text is not
            continue
        details = task.details(article, records, ScoringContext())
        rows = details["questions"]
        assert len(rows) == len(article.gold["qa"])
        assert all(r["correct"] for r in rows if r["em"])  # exact matches stay right
        assert {r["rule"] for r in rows} <= set(RULES)
        return
    pytest.fail(f"no stored bm25-qa predictions validate: {stored}")


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corruption_is_caught(gold_copy, name):
    line, change, fragment = CORRUPTIONS[name]
    _rewrite(gold_copy / "qa.jsonl", line, change)
    messages = [str(p) for p in load_document(gold_copy)[1]]
    assert any(fragment in m for m in messages), messages


# ---- the scorer (the judge's case table is tests/metrics/test_qa_judge.py) ---------------


def test_details_name_the_rule_of_every_question(article):
    task = get_task("qa")
    gold = article.gold["qa"]
    preds = [QAPrediction(q.id, (q.answers[-1],)) for q in gold]  # the last acceptable form
    details = task.details(article, preds, ScoringContext())
    assert {row["rule"] for row in details["questions"]} <= set(RULES)
    assert all(row["correct"] for row in details["questions"])
    assert sum(details["judged_by_rule"].values()) == len(gold)


def test_the_scorer_gives_the_judge_the_document(article):
    """An addition in front of a name counts only where the document's entities write it."""
    task = get_task("qa")
    details = task.details(article, [QAPrediction("q27", ("省公安厅厅长叶寒冰",))], ScoringContext())
    row = {r["id"]: r for r in details["questions"]}["q27"]
    assert (row["correct"], row["rule"]) == (True, "name-variant")


def test_only_the_first_answer_is_scored(article):
    task = get_task("qa")
    q = next(q for q in article.gold["qa"] if q.id == "q37")
    first_wrong = task.details(article, [QAPrediction("q37", ("79.1万元", "79.1亿元"))], ScoringContext())
    first_right = task.details(article, [QAPrediction("q37", ("79.1亿元", "79.1万元"))], ScoringContext())
    row = {r["id"]: r for r in first_wrong["questions"]}[q.id]
    assert (row["answer"], row["correct"], row["rule"]) == ("79.1万元", False, "wrong-value")
    assert {r["id"]: r for r in first_right["questions"]}[q.id]["correct"]


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
    assert run.meta["tasks"]["qa"]["task"] == "qa.v2"
