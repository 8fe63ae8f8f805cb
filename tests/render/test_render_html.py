"""The HTML leaderboard page: self-contained, escaped, no local paths, no task names, no scoring."""

from __future__ import annotations

import base64
import copy
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from render_fakes import EVIL_MODEL, SCRIPT_NAME, fake_run

from benchmark.render import html
from benchmark.render.html_runs import board_runs
from benchmark.render.html_tables import inline_md
from benchmark.schema import Entity, NumericFact, Paragraph

ALERT = "<script>alert(1)</script>"
ALERT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
RENDER = Path(html.__file__).parent


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
    assert '<a href="leaderboard.csv">' in page and '<a href="leaderboard.json">' in page
    local = [r for r in refs if not r.startswith(("data:", "#"))]  # links to the files beside the page
    assert local and all("://" not in r and not r.startswith("/") and ".." not in r for r in local), local
    assert "http://" not in page and "https://" not in page
    assert "@import" not in page and "url(" not in page


def test_css_and_js_are_package_data_inlined_and_allowed_by_hash(page: str) -> None:
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    assert style == (RENDER / "static" / "leaderboard.css").read_text(encoding="utf-8")
    assert script == (RENDER / "static" / "leaderboard.js").read_text(encoding="utf-8")
    for text in (style, script):
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
        assert f"sha256-{digest}" in page
    assert page.count("<script") == 1 and page.count("<style") == 1
    assert "default-src &#x27;none&#x27;" in page
    pyproject = (RENDER.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"render/static/*.css"' in pyproject and '"render/static/*.js"' in pyproject


def test_page_has_notes_tables_plots_and_every_run(
    page: str, render_inputs: tuple[dict[str, Any], list[Any], list[Any]]
) -> None:
    board, runs, docs = render_inputs
    for note in (board["ci_note"], board["uses_gold_note"], board["overall"]["policy"]):
        assert inline_md(note) in page
    assert page.count('<table class="sortable">') >= 1 + len(board["tasks"])
    assert "data-sort-value=" in page
    assert "<img" not in page and page.count('<svg class="plot"') >= 2 * len(board["tasks"])
    for key in board["tasks"]:
        assert f'id="h-task-{key}"' in page
    shown = board_runs(board, runs)
    assert 0 < len(shown) <= len(runs)  # the runs on the board (here: one run per system)
    assert page.count('<section class="run"') == len(shown)
    assert 'id="run-select"' in page and 'id="task-select"' in page
    views_per_run = sum(len(doc.gold) for doc in docs)
    assert page.count('<div class="task-view"') == len(shown) * views_per_run


def test_page_shows_no_local_path(page: str, render_results: Path) -> None:
    assert str(render_results) not in page
    assert str(Path.home()) + "/" not in page
    assert str(RENDER.parents[1]) not in page


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
            row["labels"] = [ALERT]
            row["label_rows"] = {ALERT: 0.5}
    first = next(iter(board["tasks"].values()))
    first["failed"] = [{"model": ALERT, "run_id": "fake0001", "status": "failed", "exception": ALERT}]
    unit = article_doc.gold["topics"][0]
    fact = NumericFact(276, 279, ALERT, 28, ALERT, "exact", ALERT, 279, 282)
    evil = fake_run(
        ALERT,
        {
            "ner": [Entity(0, 5, ALERT, "PER"), Entity(10, 12, "四川", "GPE")],
            "numeric": [fact],
            "topics": [Paragraph(u.start, u.end, u.section, u.topics) for u in article_doc.gold["topics"]],
        },
        article_doc.id,
        display_name=ALERT,
    )
    evil.meta["adapter"]["description"] = ALERT
    evil.meta["tasks"]["topics"]["status"] = "failed"
    evil.errors["topics"] = {"exception": ALERT}
    out = html.render(board, [*runs, evil], docs, [])
    assert "<script>alert" not in out
    assert out.count(ALERT_ESCAPED) >= 10
    assert "Failed runs" in out and unit.section in out


def test_reads_badge_replaces_the_gold_suffix(
    render_inputs: tuple[dict[str, Any], list[Any], list[Any]],
) -> None:
    from benchmark.adapters.base import READS

    board = copy.deepcopy(render_inputs[0])
    rows = board["overall"]["rows"]
    rows[0] |= {"reads": "other-units-gold", "uses_gold": True}
    rows[1] |= {"reads": "nothing", "uses_gold": False}
    out = html.overall_section(board["overall"])
    badge = f'<span class="badge reads-other-units-gold" title="{html.esc(READS["other-units-gold"])}">'
    assert out.count(badge) == 1
    assert "(gold)" not in out
    assert f'<th scope="row" class="system">{html.esc(rows[1]["display_name"])}</th>' in out  # no badge


def test_label_columns_and_rows_come_from_the_rows_not_the_task_name() -> None:
    headlines = [{"name": "m", "description": "d"}]
    row = {"rank": 1, "model": "a", "run_id": "1", "display_name": "a", "scores": {"m": {"estimate": 0.5}},
           "labels": ["X", "Y"], "unsupported_labels": ["Z"], "merged_labels": [["X", "Y"]],
           "label_rows": {"X": 0.25, "Y": None}}  # fmt: skip
    table = {"key": "some-task", "task": "some-task.v1", "description": "", "primary": "m",
             "headlines": headlines, "rows": [row], "failed": []}  # fmt: skip
    out = html.task_section(table)
    assert "unsupported: Z; merged: X+Y" in out
    assert "<summary>Per label</summary>" in out and 'data-sort-value="0.25"' in out and "n/a" in out
    bare = html.task_section(table | {"rows": [{k: v for k, v in row.items() if "label" not in k}]})
    assert "unsupported:" not in bare and "Per label" not in bare


def test_renderers_name_no_task() -> None:
    from benchmark.tasks import TASKS

    sources = {
        p.name: p.read_text(encoding="utf-8")
        for p in RENDER.glob("*.py")
        if p.name != "annotations_readme.py"
    }
    sources["publish.py"] = (RENDER.parent / "publish.py").read_text(encoding="utf-8")
    for name, text in sources.items():
        assert "benchmark.tasks." not in text.replace("benchmark.tasks.base", ""), name
        for key in TASKS.names():
            for quoted in (f'"{key}"', f"'{key}'"):
                assert quoted not in text, (name, quoted)
    for name in ("classify_entities", "pair_facts", "score_numeric", "char_f1", "analyze_errors"):
        assert name not in sources["html.py"], name


def test_empty_board_renders() -> None:
    board = {"documents": [], "tasks": {}, "overall": {"tasks": [], "rows": [], "policy": ""}}
    out = html.render(board, [], [], [])
    assert out.startswith("<!DOCTYPE html>") and "</html>" in out


def test_a_predictions_folder_path_does_not_reach_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from benchmark.cli import evaluate as evaluate_cli

    article = RENDER.parents[1] / "annotations" / "sichuan-police-2020"
    mine = tmp_path / "private" / "my-run" / article.name
    mine.mkdir(parents=True)
    shutil.copy(article / "entities.jsonl", mine / "entities.jsonl")
    results = tmp_path / "results"
    argv = [
        "--predictions",
        str(mine.parent),
        "--name",
        "mine",
        "--output",
        str(results),
        "--resamples",
        "20",
    ]
    assert evaluate_cli.main(argv) == 0, capsys.readouterr().err
    for name in ("leaderboard.html", "leaderboard.md", "leaderboard.json"):
        text = (results / name).read_text(encoding="utf-8")
        assert str(tmp_path) not in text and "/private/" not in text, name


def test_runs_left_out_of_the_ranking_are_listed_with_their_command() -> None:
    flag = {"kind": "incomplete", "model": "<m>", "run_id": "r1", "reason": "misses doc-2",
            "command": "python scripts/evaluate.py --model <m> --force"}  # fmt: skip
    table = {"key": "t", "task": "t.v1", "description": "", "primary": "m", "headlines": [], "rows": [],
             "failed": [], "incomplete": [flag], "documents": ["doc-1"], "missing_documents": ["doc-2"]}  # fmt: skip
    out = html.task_section(table)
    assert "<strong>&lt;m&gt;</strong> (<code>r1</code>): incomplete: misses doc-2;" in out
    assert "<code>python scripts/evaluate.py --model &lt;m&gt; --force</code>" in out
    assert "Ranked on doc-1; no ranked run covers doc-2 yet." in out
    assert "Not ranked" not in html.task_section(table | {"incomplete": [], "missing_documents": []})


# ------------------------------------------------------------------- issue 14: a page a user can read


def _tbody(page: str, key: str, cls: str) -> str:
    section = re.search(rf'<section class="task" data-task="{key}".*?</section>', page, re.S).group(0)
    found = re.search(rf'<tbody class="{cls}">(.*?)</tbody>', section, re.S)
    return found.group(1) if found else ""


def test_reference_rows_are_pinned_and_unranked(
    page: str, render_inputs: tuple[dict[str, Any], list[Any], list[Any]]
) -> None:
    board = render_inputs[0]
    for key, t in board["tasks"].items():
        reference = [r for r in t["rows"] if r.get("reference")]
        ranked = [r for r in t["rows"] if not r.get("reference")]
        assert [r["model"] for r in reference] == ["oracle"], key
        ref_html, ranked_html = _tbody(page, key, "reference"), _tbody(page, key, "ranked")
        assert 'data-model="oracle"' in ref_html and 'data-model="oracle"' not in ranked_html
        assert ">ref</td>" in ref_html
        ranks = [int(r) for r in re.findall(r'<td class="num rank" data-sort-value="(\d+)"', ranked_html)]
        assert ranks == list(range(1, len(ranked) + 1)), key


def test_every_row_links_its_run_record_and_the_files_exist(page: str, render_results: Path) -> None:
    links = re.findall(r'<a class="record" href="([^"]+)"', page)
    assert len(links) > 20
    missing = [link for link in set(links) if not (render_results / link).is_file()]
    assert not missing, missing
    anchors = set(re.findall(r'<a class="to-run" href="#(run-\d+)"', page))
    assert anchors and all(f'<section class="run" id="{a}"' in page for a in anchors)


def test_newest_run_comes_from_the_records_not_the_clock(
    render_inputs: tuple[dict[str, Any], list[Any], list[Any]],
) -> None:
    board, runs, docs = copy.deepcopy(render_inputs[0]), render_inputs[1], render_inputs[2]
    newest = max((r.meta for r in runs), key=lambda m: m["finished_at"])
    first = html.render(board, runs, docs)
    assert f"<time>{html.esc(newest['finished_at'])}</time>" in first
    assert f"<code>{html.esc(str(newest['git_commit'])[:12])}" in first
    assert html.render(copy.deepcopy(board), runs, docs) == first  # a rebuild is byte-identical
    board["newest_run"] = {"model": "m", "finished_at": "2001-02-03T04:05:06+00:00", "git_commit": "abc"}
    assert "<time>2001-02-03T04:05:06+00:00</time>" in html.render(board, runs, docs)
    assert "at commit <code>abc</code>." in html.render(board, runs, docs)
    board["newest_run"]["git_commit"] = "0123456789abcdef0123-dirty"  # made from an uncommitted tree: said
    assert "at commit <code>0123456789ab (uncommitted changes)</code>." in html.render(board, runs, docs)


def test_pairwise_matrix_agrees_with_the_letters(
    page: str, render_inputs: tuple[dict[str, Any], list[Any], list[Any]]
) -> None:
    board = render_inputs[0]
    for key, t in board["tasks"].items():
        ranked = [r for r in t["rows"] if not r.get("reference")]
        section = re.search(rf'<details class="pairwise" data-task="{key}".*?</details>', page, re.S)
        assert section, key
        cells = re.findall(
            r'data-a="([^"]+)" data-b="([^"]+)" data-significant="(true|false)"', section.group(0)
        )
        assert len(cells) == len(ranked) * (len(ranked) - 1), key
        group = {r["model"]: set(r["group"]) for r in ranked}
        for a, b, significant in cells:
            assert (significant == "true") == (not group[a] & group[b]), (key, a, b)
        assert any(s == "true" for _, _, s in cells) or key != "topics"  # the fixture has a real difference


def test_llm_failure_rates_kinds_and_label_sets_are_shown(
    page: str,
    render_inputs: tuple[dict[str, Any], list[Any], list[Any]],
) -> None:
    board = render_inputs[0]
    llm_rows = [r for t in board["tasks"].values() for r in t["rows"] if r.get("llm")]
    assert {r["model"] for r in llm_rows} == {"fake-llm"}
    for row in llm_rows:
        rate = f"parse {100 * row['llm']['parse_failure_rate']:.1f}%"
        assert rate in page and row["llm"]["parse_failure_rate"] > 0
    kinds = re.search(r'<select id="filter-kind">(.*?)</select>', page, re.S).group(1)
    assert 'value="reference"' in kinds and 'value="llm"' in kinds
    assert 'data-kind="llm"' in page and 'data-labels="DATE"' in page


def test_backticks_become_code_and_the_detectable_difference_is_stated(
    page: str,
    render_inputs: tuple[dict[str, Any], list[Any], list[Any]],
) -> None:
    board = copy.deepcopy(render_inputs[0])
    board["ci_note"] = "see `scripts/compare.py`"
    assert "<p>see <code>scripts/compare.py</code></p>" in html.render(board, [], [])
    for t in render_inputs[0]["tasks"].values():
        if t.get("detectable"):
            assert (
                f"<strong>{t['detectable']['difference']:.3f}</strong> in {t['detectable']['metric']}" in page
            )


def test_error_view_opens_on_the_best_ranked_system(
    page: str,
    render_inputs: tuple[dict[str, Any], list[Any], list[Any]],
) -> None:
    board, runs, _ = render_inputs
    shown = board_runs(board, runs)
    first_key, first = next(iter(board["tasks"].items()))
    best = next(r for r in first["rows"] if not r.get("reference"))
    index = next(i for i, r in enumerate(shown) if (r.model, r.run_id) == (best["model"], best["run_id"]))
    assert f'<option value="run-{index}" selected>' in page
    assert re.search(rf'<option value="{first_key}" data-best="run-{index}" selected>', page)


def test_each_row_links_a_comparison_with_the_best(
    page: str, render_inputs: tuple[dict[str, Any], list[Any], list[Any]]
) -> None:
    board = render_inputs[0]
    for key, t in board["tasks"].items():
        ranked = [r for r in t["rows"] if not r.get("reference")]
        for i, row in enumerate(ranked[1:], start=1):
            assert f'<a class="vs-best" href="#pair-{key}-{i}-0">vs best</a>' in page
            assert f'<td id="pair-{key}-{i}-0" class="pair' in page
            command = f".venv/bin/python scripts/compare.py {ranked[0]['model']}/{ranked[0]['run_id']} {row['model']}/{row['run_id']}"
            assert f'<li id="compare-{key}-{i}">' in page and html.esc(command) in page
