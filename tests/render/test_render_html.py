"""The HTML leaderboard page: escaping, no network references, span classification, views."""

from __future__ import annotations

import base64
import copy
import hashlib
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from render_fakes import EVIL_MODEL, SCRIPT_NAME, fake_run

from benchmark.render import html
from benchmark.schema import Entity, NumericFact, Paragraph

ALERT = "<script>alert(1)</script>"
ALERT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [
            v or "" for k, v in attrs if k in ("src", "href", "srcset", "action", "poster", "data")
        ]


def resource_references(page: str) -> list[str]:
    """Every URL-valued attribute of every tag (not text that merely looks like one)."""
    parser = _References()
    parser.feed(page)
    return parser.found


def _count(page: str, cls: str) -> int:
    return len(re.findall(rf'<mark class="seg[^"]*\b{cls}\b', page))


@pytest.fixture(scope="module")
def page(render_results: Path) -> str:
    return (render_results / "leaderboard.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def article_doc(render_inputs: tuple[dict[str, Any], list[Any], list[Any]]) -> Any:
    return render_inputs[2][0]


def test_page_is_self_contained_utf8_and_tagged_chinese(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert 'lang="zh-Hans"' in page
    refs = resource_references(page)
    assert refs, "expected at least the inline images"
    assert all(ref.startswith("data:") for ref in refs), [r for r in refs if not r.startswith("data:")]
    assert "http://" not in page and "https://" not in page
    assert "@import" not in page and "url(" not in page


def test_csp_allows_exactly_the_inline_style_and_script(page: str) -> None:
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    for text in (style, script):
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
        assert f"sha256-{digest}" in page
    assert page.count("<script") == 1 and page.count("<style") == 1
    assert "default-src &#x27;none&#x27;" in page


def test_page_has_notes_tables_plots_and_every_run(
    page: str, render_inputs: tuple[dict[str, Any], list[Any], list[Any]]
) -> None:
    board, runs, _ = render_inputs
    for note in (board["ci_note"], board["uses_gold_note"], board["overall"]["policy"]):
        assert html.esc(note) in page
    assert page.count('<table class="sortable">') >= 1 + len(board["tasks"])
    assert "data-sort-value=" in page
    assert page.count('<img src="data:image/png;base64,') == 2
    for key in board["tasks"]:
        assert f'id="h-task-{key}"' in page
    assert page.count('<section class="run"') == len(runs)
    assert 'id="run-select"' in page


def test_hostile_names_are_escaped_in_the_published_page(page: str) -> None:
    assert SCRIPT_NAME not in page
    assert html.esc(SCRIPT_NAME) in page
    assert '<img src="x"' not in page
    assert f'data-model="{EVIL_MODEL}"' in page


def test_model_strings_are_escaped(
    render_inputs: tuple[dict[str, Any], list[Any], list[Any]], article_doc: Any
) -> None:
    board, runs, docs = copy.deepcopy(render_inputs[0]), render_inputs[1], render_inputs[2]
    for table in (*board["tasks"].values(), board["overall"]):
        for row in table["rows"]:
            row["display_name"] = ALERT
    board["tasks"]["ner"]["failed"] = [
        {"model": ALERT, "run_id": ALERT, "status": "failed", "exception": ALERT}
    ]
    fact = NumericFact(276, 279, ALERT, 28, ALERT, "exact", ALERT, 279, 282)
    evil = fake_run(
        ALERT,
        {
            "ner": [Entity(0, 5, ALERT, ALERT), Entity(10, 12, "四川", "GPE")],
            "numeric": [fact],
            "topics": [Paragraph(0, 13, ALERT, (ALERT,))],
        },
        article_doc.id,
        display_name=ALERT,
    )
    evil.meta["adapter"]["description"] = ALERT
    out = html.render(board, [*runs, evil], docs, [])
    assert "<script>alert" not in out
    assert out.count(ALERT_ESCAPED) >= 10
    assert "Failed runs" in out


def test_span_classification_hand_made_case() -> None:
    text = "四川公安在成都表彰李逢春。"
    gold = [Entity(0, 2, "四川", "GPE"), Entity(5, 7, "成都", "GPE"), Entity(9, 12, "李逢春", "PER")]
    pred = [Entity(0, 2, "四川", "GPE"), Entity(5, 7, "成都", "LOC"), Entity(2, 4, "公安", "ORG")]
    marks = html.classify_entities(gold, pred)
    assert Counter(m.kind for m in marks) == {"match": 1, "wrong-type": 1, "false-alarm": 1, "miss": 1}
    wrong = next(m for m in marks if m.kind == "wrong-type")
    assert (wrong.start, wrong.end, wrong.gold_label, wrong.pred_label) == (5, 7, "GPE", "LOC")
    out = html.highlight(text, marks)
    for cls in ("span-match", "span-wrong-type", "span-false-alarm", "span-miss"):
        assert _count(out, cls) == 1
    assert 'title="wrong type: gold GPE, predicted LOC: 成都"' in out
    assert re.sub(r"<[^>]+>", "", out) == text


def test_overlapping_spans_are_cut_into_segments() -> None:
    text = "四川公安厅"
    gold = [Entity(0, 5, text, "ORG")]
    pred = [Entity(0, 2, "四川", "GPE"), Entity(0, 2, "四川", "LOC")]
    marks = html.classify_entities(gold, pred)
    assert Counter(m.kind for m in marks) == {"miss": 1, "false-alarm": 2}
    out = html.highlight(text, marks)
    first, second = re.findall(r'<mark class="([^"]+)"', out)
    assert first == "seg span-false-alarm span-miss mark-start" and second == "seg span-miss"
    assert re.sub(r"<[^>]+>", "", out) == text


def test_duplicate_predictions_on_a_gold_span() -> None:
    gold = [Entity(0, 2, "四川", "GPE")]
    pred = [Entity(0, 2, "四川", "GPE"), Entity(0, 2, "四川", "GPE"), Entity(0, 2, "四川", "ORG")]
    assert Counter(m.kind for m in html.classify_entities(gold, pred)) == {"match": 1, "false-alarm": 2}


def test_oracle_view_highlights_every_gold_entity_as_a_match(
    render_inputs: tuple[dict[str, Any], list[Any], list[Any]], article_doc: Any
) -> None:
    oracle = next(r for r in render_inputs[1] if r.model == "oracle")
    out = html.ner_view(oracle, article_doc)
    assert _count(out, "span-match") == len(article_doc.gold["ner"])
    assert out.count('<mark class="seg') == len(article_doc.gold["ner"])
    assert f'data-kind="match" data-count="{len(article_doc.gold["ner"])}"' in out
    assert 'class="article" lang="zh-Hans"' in out


def test_rules_view_counts_agree_with_classification(
    render_inputs: tuple[dict[str, Any], list[Any], list[Any]], article_doc: Any
) -> None:
    rules = next(r for r in render_inputs[1] if r.model == "rules")
    marks = html.classify_entities(article_doc.gold["ner"], rules.predictions("ner", article_doc.id))
    counts = Counter(m.kind for m in marks)
    out = html.ner_view(rules, article_doc)
    for kind in html.KINDS:
        assert f'data-kind="{kind}" data-count="{counts[kind]}"' in out
    assert counts["miss"] > 0


def test_numeric_facts_side_by_side(article_doc: Any) -> None:
    gold = article_doc.gold["numeric"][:3]
    g0, g1 = gold[0], gold[1]
    pred = [
        g0,  # exact copy: match
        NumericFact(g1.start, g1.end, g1.text, g1.value, g1.unit, g1.qualifier, "完全不同的短语", g1.metric_start,
                    g1.metric_end),  # same span, other metric: mismatch
        NumericFact(0, 2, "华西", 2, "个", "exact", "报", 2, 3),  # nowhere in gold: false alarm
    ]  # fmt: skip
    rows = html.pair_facts(gold, pred)
    assert Counter(status for *_, status in rows) == {"match": 1, "mismatch": 1, "miss": 1, "false alarm": 1}
    run = fake_run("x", {"numeric": pred}, article_doc.id)
    doc = copy.copy(article_doc)
    doc.gold = {"numeric": gold}
    out = html.numeric_view(run, doc)
    assert "mismatch (metric)" in out and "false alarm" in out
    assert html.esc("完全不同的短语") in out


def test_topics_view_marks_mismatches(
    render_inputs: tuple[dict[str, Any], list[Any], list[Any]], article_doc: Any
) -> None:
    gold = article_doc.gold["topics"]
    pred = [Paragraph(u.start, u.end, u.section, u.topics) for u in gold]
    pred[0] = Paragraph(pred[0].start, pred[0].end, "lead", pred[0].topics)
    pred[1] = Paragraph(pred[1].start, pred[1].end, pred[1].section, ("covid",))
    out = html.topics_view(fake_run("x", {"topics": pred[:-1]}, article_doc.id), article_doc)
    assert out.count('class="mismatch-row"') == 3  # section, topics, and one unit not predicted
    assert f"{len(gold) - 3} of {len(gold)} units fully right" in out


def test_tasks_not_run_or_failed_say_so(article_doc: Any) -> None:
    run = fake_run("x", {"ner": []}, article_doc.id)
    run.meta["tasks"]["numeric"] = {"status": "failed"}
    run.errors["numeric"] = {"exception": "RuntimeError: <boom>"}
    out = html.run_section(0, run, [article_doc])
    assert "not run" in out
    assert "failed: RuntimeError: &lt;boom&gt;" in out
    assert _count(out, "span-miss") == len(article_doc.gold["ner"])


def test_empty_board_renders() -> None:
    board = {"documents": [], "tasks": {}, "overall": {"tasks": [], "rows": [], "policy": ""}}
    out = html.render(board, [], [], [])
    assert out.startswith("<!DOCTYPE html>") and "</html>" in out
