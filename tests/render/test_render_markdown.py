"""The Markdown leaderboard: names and exception messages are inert, badges come from ``reads``."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from render_fakes import SCRIPT_NAME

from benchmark.render import markdown

IMG = "<img src=x onerror=alert(1)>"
LINK = "[click](javascript:alert(1)) | *bold* `code`"


def _hostile(board: dict[str, Any]) -> dict[str, Any]:
    board = copy.deepcopy(board)
    for table in (*board["tasks"].values(), board["overall"]):
        for row in table["rows"]:
            row["display_name"] = IMG
    first = next(iter(board["tasks"].values()))
    first["rows"][0]["display_name"] = LINK
    first["rows"][0]["labels"] = ["<b>X</b>"]
    first["failed"] = [{"model": IMG, "run_id": "<i>1</i>", "status": "failed", "exception": f"boom\n{IMG}\n| x |"}]
    return board


def test_html_in_names_and_exceptions_does_not_survive(render_inputs: tuple[dict[str, Any], list[Any], list[Any]]) -> None:
    out = markdown.render(_hostile(render_inputs[0]))
    assert "<img" not in out and "<b>" not in out and "<i>" not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "\\[click\\](javascript:alert(1)) \\| \\*bold\\* \\`code\\`" in out
    failed = next(line for line in out.splitlines() if line.startswith("Failed:"))
    assert failed.endswith("boom &lt;img src=x onerror=alert(1)&gt; \\| x \\|")  # one line, no table cells


def test_every_table_row_keeps_its_column_count(render_inputs: tuple[dict[str, Any], list[Any], list[Any]]) -> None:
    out = markdown.render(_hostile(render_inputs[0]))
    for block in out.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        if rows:
            widths = {line.replace("\\|", "").count("|") for line in rows}
            assert len(widths) == 1, rows


def test_published_markdown_escapes_the_hostile_run(render_results: Path) -> None:
    out = (render_results / "leaderboard.md").read_text(encoding="utf-8")
    assert SCRIPT_NAME not in out and "<script" not in out
    assert markdown.md_escape(SCRIPT_NAME) in out


def test_badges_come_from_reads(render_inputs: tuple[dict[str, Any], list[Any], list[Any]]) -> None:
    from benchmark.adapters.base import READS

    board = copy.deepcopy(render_inputs[0])
    rows = board["overall"]["rows"]
    for row in rows:
        row["reads"] = "nothing"
    rows[0] |= {"reads": "article", "uses_gold": False}
    out = markdown.render(board)
    assert f"| {markdown.md_escape(rows[0]['display_name'])} (article) |" in out
    badges = next(line for line in out.splitlines() if line.startswith("Badges: "))
    assert f"(article) {READS['article']}" in badges and f"(gold) {READS['gold']}" in badges
    assert "(gold)" not in markdown.overall_section(board["overall"])
