"""Each task's HTML view of one run (``Task.html_view``), from the scorer's own output.

For every registered task: the oracle's view shows everything right; a run with mistakes shows
each mistake classified as the scorer classified it (a dropped entity is marked missed, a wrong
label is a wrong type, a wrong value a value mismatch, a wrong answer wrong). And the page
renders what the run record says rather than matching again.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from render_fakes import fake_run

from benchmark.document import Document
from benchmark.normalize import QUALIFIERS
from benchmark.render import html, html_runs
from benchmark.schema import Entity
from benchmark.tasks import TASKS, get_task
from benchmark.tasks.base import ScoringContext, Task

#: Per task: the HTML that marks one item right, and patterns of the HTML of every kind of mistake.
RIGHT = {
    "ner": '<mark class="seg span-match mark-start"',
    "numeric": '<tr class="fact-match">',
    "topics": '<tr class="unit-right">',
    "qa": '<tr class="verdict-right">',
}
WRONG = {
    "ner": (r'<mark class="seg[^"]*span-(miss|false-alarm|wrong-type)',),
    "numeric": (r'<tr class="fact-(miss|false-alarm|mismatch)"',),
    "topics": (r'<tr class="unit-wrong"',),
    "qa": (r'<tr class="verdict-wrong"',),
}


def view(task: Task, doc: Document, predictions: list[Any]) -> str:
    """The task's view of ``predictions``, from its own scorer's details and errors."""
    ctx = ScoringContext()
    return task.html_view(
        doc, predictions, task.details(doc, predictions, ctx), task.errors(doc, predictions, ctx)
    )


def visible_text(fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", fragment)


def row_of(out: str, needle: str) -> str:
    """The table row (``<tr ...>...</tr>``) containing ``needle``."""
    rows = [r for r in re.findall(r"<tr[^>]*>.*?</tr>", out, re.S) if needle in r]
    assert rows, needle
    return rows[0]


@pytest.mark.parametrize("key", TASKS.names())
def test_oracle_view_shows_everything_right(key: str, article: Document) -> None:
    task = get_task(key)
    gold = list(article.gold.get(key, []))
    out = view(task, article, gold)
    assert isinstance(out, str) and out
    if key in RIGHT:
        assert out.count(RIGHT[key]) == len(gold) > 0
        for pattern in WRONG[key]:
            assert not re.search(pattern, out), pattern


# ------------------------------------------------------------------- runs with mistakes, per task


def _ner_mistakes(doc: Document) -> tuple[list[Any], Callable[[str], None]]:
    gold = doc.gold["ner"]
    dropped, relabelled = gold[0], gold[1]
    other = "ORG" if relabelled.label != "ORG" else "PER"
    pred = [dataclasses.replace(relabelled, label=other), *gold[2:]]

    def check(out: str) -> None:
        title = rf"missed \(missed(?: repeat)?\): gold {dropped.label}: {re.escape(dropped.text)}"
        miss = re.search(rf'<mark class="([^"]*)" data-marks="[\d ]+" title="{title}"[^>]*>', out)
        assert miss and "span-miss" in miss.group(1)
        assert f'title="wrong type: gold {relabelled.label}, predicted {other}: {relabelled.text}"' in out
        assert 'data-kind="match" data-count="' + str(len(gold) - 2) + '"' in out
        assert 'data-kind="miss" data-count="1"' in out and 'data-kind="wrong-type" data-count="1"' in out

    return pred, check


def _numeric_mistakes(doc: Document) -> tuple[list[Any], Callable[[str], None]]:
    gold = doc.gold["numeric"]
    dropped, wrong = gold[0], gold[1]
    pred = [dataclasses.replace(wrong, value=wrong.value * 10 + 1), *gold[2:]]

    def check(out: str) -> None:
        misses = re.findall(r'<tr class="fact-miss">.*?</tr>', out)
        assert len(misses) == 1 and html.esc(dropped.text) in misses[0]
        mismatch = row_of(out, "mismatch (value")
        assert html.esc(wrong.text) in mismatch and 'class="mismatch"' in mismatch
        assert f"match: {len(gold) - 2}, mismatch: 1, miss: 1, false alarm: 0" in visible_text(out)

    return pred, check


def _topics_mistakes(doc: Document) -> tuple[list[Any], Callable[[str], None]]:
    gold = sorted(doc.gold["topics"], key=lambda u: u.start)
    first = gold[0]
    section = next(s for s in get_task("topics").sections if s != first.section)
    pred = [dataclasses.replace(first, section=section), *gold[1:]]

    def check(out: str) -> None:
        rows = re.findall(r'<tr class="(unit-[a-z]+)">', out)
        assert rows == ["unit-wrong"] + ["unit-right"] * (len(gold) - 1)
        wrong = row_of(out, '<tr class="unit-wrong">')
        assert f'<td class="mismatch">≠ {section}</td>' in wrong and "✗" in wrong
        assert f"Units with the section and the whole topic set right: {len(gold) - 1} of {len(gold)}" in out

    return pred, check


def _qa_mistakes(doc: Document) -> tuple[list[Any], Callable[[str], None]]:
    gold = doc.gold["qa"]
    wrong = gold[0]
    pred = [dataclasses.replace(wrong, answers=("完全不对的答案",)), *gold[2:]]  # gold[1] is left unanswered

    def check(out: str) -> None:
        first = row_of(out, f"<td>{html.esc(wrong.id)}</td>")
        assert 'class="verdict-wrong"' in first and "完全不对的答案" in first
        unanswered = row_of(out, f"<td>{html.esc(gold[1].id)}</td>")
        assert 'class="verdict-wrong"' in unanswered and "no answer" in unanswered
        assert out.count('<tr class="verdict-right">') == len(gold) - 2
        assert f"{len(gold) - 2} of {len(gold)} questions right" in out

    return pred, check


MISTAKES = {
    "ner": _ner_mistakes,
    "numeric": _numeric_mistakes,
    "topics": _topics_mistakes,
    "qa": _qa_mistakes,
}


@pytest.mark.parametrize("key", sorted(MISTAKES))
def test_view_of_a_run_with_mistakes(key: str, article: Document) -> None:
    pred, check = MISTAKES[key](article)
    check(view(get_task(key), article, pred))


def test_every_task_of_the_package_has_a_mistakes_case() -> None:
    builtin = {k for k in TASKS.names() if TASKS.get(k).__module__.startswith("benchmark.tasks.")}
    assert builtin <= set(MISTAKES) == set(RIGHT)


def test_qa_view_shows_why_from_the_judges_rule_or_its_scores(article: Document) -> None:
    task = get_task("qa")
    gold = list(article.gold["qa"])
    details = task.details(article, gold, ScoringContext())
    details["questions"][0]["rule"] = "number <by value> 79.1亿元 = 7910000000元"
    details["questions"][1].pop("rule", None)
    out = task.html_view(article, gold, details, {})
    assert html.esc("number <by value> 79.1亿元 = 7910000000元") in row_of(out, html.esc(gold[0].id))
    assert "exact match: yes, char F1 1.00" in row_of(out, html.esc(gold[1].id))
    for q in details["questions"][2:]:
        if q.get("rule"):
            assert f'<td class="verdict">✓ right</td><td class="rule">{html.esc(q["rule"])}</td>' in row_of(
                out, q["id"]
            )


# ------------------------------------------------------------------- entity classification by hand


def _doc(text: str, entities: list[Entity]) -> Document:
    return Document("hand", text, {}, {"ner": entities})


def test_entity_view_hand_made_case() -> None:
    text = "四川公安在成都表彰李逢春。"
    gold = [Entity(0, 2, "四川", "GPE"), Entity(5, 7, "成都", "GPE"), Entity(9, 12, "李逢春", "PER")]
    pred = [Entity(0, 2, "四川", "GPE"), Entity(5, 7, "成都", "LOC"), Entity(2, 4, "公安", "ORG")]
    out = view(get_task("ner"), _doc(text, gold), pred)
    kinds = Counter(re.findall(r'<mark class="seg span-([a-z-]+)', out))
    assert kinds == {"match": 1, "wrong-type": 1, "false-alarm": 1, "miss": 1}
    assert 'title="wrong type: gold GPE, predicted LOC: 成都"' in out
    assert 'title="false alarm (generic description): predicted ORG: 公安"' in out  # rule A6
    assert 'title="missed (missed): gold PER: 李逢春"' in out
    article = re.search(r'<div class="article" lang="zh-Hans">(.*?)</div>', out).group(1)
    assert visible_text(article) == text


def test_boundary_error_shows_its_category_on_both_sides() -> None:
    text = "四川省公安厅厅长"
    gold = [Entity(0, 6, "四川省公安厅", "ORG"), Entity(6, 8, "厅长", "TITLE")]
    pred = [Entity(0, 3, "四川省", "GPE"), Entity(6, 8, "厅长", "TITLE")]
    out = view(get_task("ner"), _doc(text, gold), pred)
    assert 'title="false alarm (nested span; gold ORG 四川省公安厅): predicted GPE: 四川省' in out
    assert "missed (nested span): gold ORG: 四川省公安厅" in out
    first, second = re.findall(r'<mark class="([^"]+)"', out)[:2]
    assert first == "seg span-false-alarm span-miss mark-start" and second == "seg span-miss"


# ------------------------------------------------------------------- the page renders the run record


def test_the_page_renders_the_recorded_analysis_not_a_new_matching(article: Document) -> None:
    gold = list(article.gold["ner"])
    task = get_task("ner")
    run = fake_run("x", {"ner": gold}, article.id)
    recorded = task.errors(article, gold, ScoringContext())
    first = gold[0]
    span = {"start": first.start, "end": first.end, "label": first.label, "text": first.text}
    recorded["records"] = [{"category": "spurious", "gold": None, "pred": span, "other_gold": []}]
    run.errors["ner"]["analysis"] = {article.id: recorded}
    run.scores["ner"]["documents"] = {article.id: task.details(article, gold, ScoringContext())}
    out = html_runs.task_view(run, task, article)
    assert f'title="false alarm (spurious): predicted {first.label}: {first.text}' in out
    assert f'data-kind="match" data-count="{len(gold) - 1}"' in out


def test_tasks_not_run_or_failed_say_so(article: Document) -> None:
    run = fake_run("x", {"ner": []}, article.id)
    run.meta["tasks"]["numeric"] = {"status": "failed"}
    run.errors["numeric"] = {"exception": "RuntimeError: <boom>"}
    out = html_runs.run_section(0, run, [article])
    assert "not run" in out
    assert "failed: RuntimeError: &lt;boom&gt;" in out
    assert len(re.findall(r'<mark class="seg span-miss', out)) == len(article.gold["ner"])


def test_a_document_newer_than_the_run_says_run_again(article: Document) -> None:
    run = fake_run("x", {"ner": []}, article.id)

    def missing(key: str, doc_id: str) -> list[Any]:
        raise FileNotFoundError(f"/home/someone/results/runs/x/1/predictions/{doc_id}/entities.jsonl")

    run.predictions = missing  # type: ignore[method-assign]
    out = html_runs.task_view(run, get_task("ner"), article)  # type: ignore[arg-type]
    assert "run it again" in out and "/home/someone" not in out


def test_a_task_without_a_view_of_its_own_gets_its_details_and_errors_as_tables(article: Document) -> None:
    class Plain(Task):
        name, key, gold_file, record_type, description, headlines = (
            "plain.v1",
            "plain",
            "p.jsonl",
            dict,
            "",
            (),
        )

        def details(self, doc: Document, pred: Any, ctx: ScoringContext) -> dict[str, Any]:
            return {}

        def unit_stats(self, doc: Document, pred: Any, ctx: ScoringContext) -> dict[str, np.ndarray]:
            return {}

        def check(self, doc: Document, records: Any, *, file: str, gold: bool = True) -> list[Any]:
            return []

    out = Plain().html_view(article, [], {"n": 3, "items": [{"id": "<q1>", "ok": True}]}, {"missed": ["<x>"]})
    assert (
        "items[0].id" in out and "&quot;&lt;q1&gt;&quot;" in out and "&lt;x&gt;" in out and "<q1>" not in out
    )
    assert out.count('<details class="data-view">') == 2


def test_a_run_scored_by_an_older_task_version_says_so(article: Document) -> None:
    run = fake_run("x", {"ner": list(article.gold["ner"])}, article.id)
    assert "scored as" not in html_runs.task_view(run, get_task("ner"), article)
    run.meta["tasks"]["ner"]["task"] = "ner.v0"
    assert "(scored as ner.v0: rescore to update)" in html_runs.task_view(run, get_task("ner"), article)


def test_numeric_view_names_the_attribute_that_differs(article: Document) -> None:
    gold = article.gold["numeric"]
    g0, g1 = gold[0], gold[1]
    other = next(q for q in QUALIFIERS if q != g0.qualifier)
    pred = [
        dataclasses.replace(g0, qualifier=other),
        dataclasses.replace(g1, metric="完全不同的短语"),
        *gold[2:],
    ]
    out = view(get_task("numeric"), article, pred)
    assert "match (qualifier)" in row_of(out, html.esc(g0.text))
    assert "mismatch (metric)" in row_of(out, "完全不同的短语")
    details = get_task("numeric").details(article, pred, ScoringContext())
    details["matches"].append(
        {"gold": 999, "pred": 0, "exact": True, "value": True, "unit": True, "qualifier": True}
    )
    assert get_task("numeric").html_view(article, pred, details, {}).count("<tr class=") == len(gold)


# ------------------------------------------------------------------- labels inline, facts in the text


def test_entity_labels_are_inline_not_hover_only() -> None:
    text = "四川公安在成都表彰李逢春。"
    gold = [Entity(0, 2, "四川", "GPE"), Entity(5, 7, "成都", "GPE"), Entity(9, 12, "李逢春", "PER")]
    pred = [Entity(0, 2, "四川", "GPE"), Entity(5, 7, "成都", "LOC"), Entity(2, 4, "公安", "ORG")]
    out = view(get_task("ner"), _doc(text, gold), pred)
    tags = re.findall(r'data-tag="([^"]+)">([^<]+)</mark>', out)
    assert tags == [("GPE", "四川"), ("+ORG", "公安"), ("LOC≠GPE", "成都"), ("−PER", "李逢春")]


def test_numeric_facts_are_highlighted_in_the_text_with_what_differs(article: Document) -> None:
    gold = article.gold["numeric"]
    dropped, wrong = gold[0], gold[1]
    pred = [dataclasses.replace(wrong, value=wrong.value * 10 + 1), *gold[2:]]
    out = view(get_task("numeric"), article, pred)
    text_part = re.search(r'<div class="article" lang="zh-Hans">(.*?)</div>', out, re.S).group(1)
    assert visible_text(text_part) == html.esc(article.text).replace("&#x27;", "'").replace("&quot;", '"')
    kinds = Counter(re.findall(r'<mark class="seg span-([a-z-]+)', text_part))
    assert kinds == {"match": len(gold) - 2, "mismatch": 1, "miss": 1}
    mismatch = re.search(
        r'<mark class="seg span-mismatch[^"]*"[^>]*data-tag="([^"]+)">([^<]+)</mark>', text_part
    )
    assert mismatch.groups() == ("≠value", html.esc(wrong.text))
    assert re.search(rf'title="miss: gold: {re.escape(html.esc(dropped.text))} = ', text_part)
    cell = re.findall(r'<td class="mismatch" title="differs">≠ ([^<]*<span[^>]*>[^<]*</span>)</td>', out)
    assert len(cell) == 2 and all(str(wrong.unit) in c for c in cell)  # both value cells: a sign, not only colour
