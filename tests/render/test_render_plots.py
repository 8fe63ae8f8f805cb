"""The leaderboard plots: hand-written SVG, readable on a phone, n/a distinct from 0, byte-identical."""

from __future__ import annotations

import copy
import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from benchmark.render import plots

SVG = "{http://www.w3.org/2000/svg}"


def _row(
    model: str, f1: float | None, speed: float | None, per_label: dict[str, float | None]
) -> dict[str, Any]:
    score = None if f1 is None else {"estimate": f1, "low": max(f1 - 0.1, 0.0), "high": min(f1 + 0.1, 1.0)}
    return {
        "model": model,
        "run_id": f"{model}-run",
        "display_name": model,
        "reads": "gold" if model == "oracle" else "nothing",
        "reference": model == "oracle",
        "scores": {"strict_f1": score, "fact_f1": score},
        "chars_per_second": speed,
        "label_rows": per_label,
    }


@pytest.fixture()
def small_board() -> dict[str, Any]:
    rows = [
        _row("oracle", 1.0, 2e6, dict.fromkeys(("PER", "ORG", "GPE", "LOC", "DATE", "EVENT", "TITLE"), 1.0)),
        _row("rules", 0.2, 5e5, {"DATE": 1.0, "PER": 0.0, "EVENT": None}),
        _row("四川模型", 0.4, None, {"PER": 0.5, "EXTRA": 0.3}),
    ]
    return {
        "tasks": {
            "ner": {"task": "ner.v1", "key": "ner", "primary": "strict_f1", "rows": rows},
            "numeric": {"task": "numeric.v1", "key": "numeric", "primary": "fact_f1", "rows": rows[:2]},
            "topics": {"task": "topics.v1", "key": "topics", "primary": "topics_micro_f1", "rows": []},
        },
        "overall": {"rows": [{"model": r["model"], "run_id": r["run_id"]} for r in rows]},
    }


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_plots_are_svg_files_deterministic_and_atomic(small_board: dict[str, Any], tmp_path: Path) -> None:
    first = plots.render_all(small_board, tmp_path / "a")
    second = plots.render_all(copy.deepcopy(small_board), tmp_path / "b")
    assert [p.name for p in first] == [plots.PER_LABEL_FILE, plots.SPEED_FILE]
    for a, b in zip(first, second, strict=True):
        data = a.read_bytes()
        assert data == b.read_bytes(), a.name
        root = ET.fromstring(data)  # well-formed, standalone
        assert root.tag == f"{SVG}svg" and root.get("width") == str(plots.WIDTH)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(p.name for p in first)  # no temp files


def test_rerender_rewrites_only_what_changed(small_board: dict[str, Any], tmp_path: Path) -> None:
    paths = plots.render_all(small_board, tmp_path)
    before = [p.read_bytes() for p in paths]
    stamps = [p.stat().st_mtime_ns for p in paths]
    small_board["tasks"]["ner"]["rows"][1]["label_rows"]["DATE"] = 0.5
    after = [p.read_bytes() for p in plots.render_all(small_board, tmp_path)]
    assert before[0] != after[0] and before[1] == after[1]
    assert paths[1].stat().st_mtime_ns == stamps[1]  # same bytes: not rewritten


def test_empty_board(tmp_path: Path) -> None:
    paths = plots.render_all({"tasks": {}, "overall": {"rows": []}}, tmp_path)
    assert all("nothing to plot" in p.read_text(encoding="utf-8") for p in paths)


def test_not_applicable_is_not_zero(small_board: dict[str, Any]) -> None:
    panels = {p.title: p for p in plots.per_label_panels(small_board)}
    event, per = panels["ner.v1: EVENT"].body, panels["ner.v1: PER"].body
    # rules: EVENT is None (n/a: no bar, the words), PER is 0.0 (a zero tick and the value)
    assert "n/a (not applicable)" in event and 'class="zero"' not in event
    assert 'class="zero"' in per and "0.000" in per and "n/a" not in re.sub(r"<text[^>]*>0 to 1[^<]*</text>", "", per)
    extra = panels["ner.v1: EXTRA"].body  # a label only one system has: the others are n/a
    assert extra.count("n/a (not applicable)") == 2


def test_every_label_is_direct_and_readable(small_board: dict[str, Any]) -> None:
    for panel in [*plots.per_label_panels(small_board), *plots.speed_panels(small_board)]:
        sizes = [int(s) for s in re.findall(r'font-size="(\d+)"', panel.body)]
        assert sizes and min(sizes) >= 10, panel.title  # unscaled at 360 px: no 6 px labels
        names = _texts(f'<svg xmlns="http://www.w3.org/2000/svg">{panel.body}</svg>')
        assert any(n.startswith("oracle (gold) — reference, unranked") for n in names), panel.title
    speed = next(p for p in plots.speed_panels(small_board) if p.title == "ner.v1: speed")
    texts = _texts(f'<svg xmlns="http://www.w3.org/2000/svg">{speed.body}</svg>')
    assert "500,000 chars/s" in texts and "n/a (not applicable)" in texts  # 四川模型 has no speed


def test_rows_are_one_line_each_so_labels_cannot_overlap(small_board: dict[str, Any]) -> None:
    panel = plots.speed_panels(small_board)[0]
    ys = [float(y) for y in re.findall(r'<text x="8\.0" y="([\d.]+)" font-size="12"', panel.body)]
    assert len(ys) == 3 and all(b - a >= plots.ROW for a, b in itertools.pairwise(ys))


def test_plots_of_real_runs(render_inputs: tuple[dict[str, Any], list[Any], list[Any]], tmp_path: Path) -> None:
    board = render_inputs[0]
    first = [p.read_bytes() for p in plots.render_all(board, tmp_path / "a")]
    second = [p.read_bytes() for p in plots.render_all(board, tmp_path / "b")]
    assert first == second


def test_display_names_disambiguate_and_carry_the_badge() -> None:
    rows = [{"display_name": "x", "run_id": "aaaaaaaa"}, {"display_name": "x", "run_id": "bbbbbbbb"}]
    assert plots.display_names(rows) == ["x [aaaaaa]", "x [bbbbbb]"]
    rows = [{"display_name": "a", "reads": "other-units-gold"}, {"display_name": "b", "reads": "article"},
            {"display_name": "c", "uses_gold": True}, {"display_name": "d", "reads": "nothing"}]  # fmt: skip
    assert plots.display_names(rows) == ["a (other units' gold)", "b (article)", "c (gold)", "d"]


def test_per_label_plot_draws_every_task_with_label_rows(small_board: dict[str, Any]) -> None:
    board = copy.deepcopy(small_board)
    for row in board["tasks"]["numeric"]["rows"]:
        del row["label_rows"]
    board["tasks"]["topics"]["rows"] = [
        {"model": "m", "run_id": "1", "display_name": "m", "scores": {}, "label_rows": {"covid": 0.5, "crime": None}}
    ]
    titles = [p.title for p in plots.per_label_panels(board)]
    assert [t for t in titles if t.startswith("topics")] == ["topics.v1: covid", "topics.v1: crime"]
    assert not [t for t in titles if t.startswith("numeric")]


def test_label_rows_win_over_the_old_per_label_f1() -> None:
    from benchmark.render.rows import label_rows

    row = {"label_rows": {"PER": 0.25}, "per_label_f1": {"PER": 1.0, "ORG": 1.0}}
    assert label_rows(row) == {"PER": 0.25}


def test_publish_removes_a_plot_it_no_longer_draws(render_results: Path) -> None:
    from benchmark.publish import publish

    stale = render_results / "plots" / "per_label.png"  # the PNG an older version drew
    stale.write_bytes(b"\x89PNG\r\n\x1a\n")
    before = (render_results / "leaderboard.html").read_bytes()
    publish(render_results, n_resamples=50)
    assert sorted(p.name for p in (render_results / "plots").iterdir()) == sorted(
        [plots.PER_LABEL_FILE, plots.SPEED_FILE]
    )
    assert (render_results / "leaderboard.html").read_bytes() == before  # same runs, same page
