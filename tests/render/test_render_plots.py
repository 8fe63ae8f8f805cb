"""The leaderboard plots: produced, byte-identical for the same board, no metadata, atomic."""

from __future__ import annotations

import copy
import struct
from pathlib import Path
from typing import Any

import pytest

from benchmark.render import plots


def _row(
    model: str, f1: float | None, speed: float | None, per_label: dict[str, float | None]
) -> dict[str, Any]:
    score = None if f1 is None else {"estimate": f1, "low": max(f1 - 0.1, 0.0), "high": min(f1 + 0.1, 1.0)}
    return {
        "model": model,
        "run_id": f"{model}-run",
        "display_name": model,
        "reads": "gold" if model == "oracle" else "nothing",
        "scores": {"strict_f1": score, "fact_f1": score},
        "chars_per_second": speed,
        "per_label_f1": per_label,
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


def _chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        out.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return out


def test_plots_are_produced_and_deterministic(small_board: dict[str, Any], tmp_path: Path) -> None:
    first = plots.render_all(small_board, tmp_path / "a")
    second = plots.render_all(copy.deepcopy(small_board), tmp_path / "b")
    assert [p.name for p in first] == [plots.PER_LABEL_FILE, plots.SPEED_FILE]
    for a, b in zip(first, second, strict=True):
        data = a.read_bytes()
        assert len(data) > 5000
        assert data == b.read_bytes(), a.name
        chunks = _chunks(data)
        assert b"tIME" not in chunks and b"tEXt" not in chunks and b"iTXt" not in chunks, chunks
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(
        p.name for p in first
    )  # no temp files


def test_rerender_replaces_files(small_board: dict[str, Any], tmp_path: Path) -> None:
    before = [p.read_bytes() for p in plots.render_all(small_board, tmp_path)]
    small_board["tasks"]["ner"]["rows"][1]["per_label_f1"]["DATE"] = 0.5
    after = [p.read_bytes() for p in plots.render_all(small_board, tmp_path)]
    assert before[0] != after[0] and before[1] == after[1]


def test_empty_board(tmp_path: Path) -> None:
    paths = plots.render_all({"tasks": {}, "overall": {"rows": []}}, tmp_path)
    assert all(p.is_file() for p in paths)


def test_plots_of_real_runs(
    render_inputs: tuple[dict[str, Any], list[Any], list[Any]], tmp_path: Path
) -> None:
    board = render_inputs[0]
    first = [p.read_bytes() for p in plots.render_all(board, tmp_path / "a")]
    second = [p.read_bytes() for p in plots.render_all(board, tmp_path / "b")]
    assert first == second


def test_display_names_disambiguate() -> None:
    rows = [{"display_name": "x", "run_id": "aaaaaaaa"}, {"display_name": "x", "run_id": "bbbbbbbb"}]
    assert plots.display_names(rows) == ["x [aaaaaa]", "x [bbbbbb]"]


def test_per_label_plot_draws_every_task_with_label_rows(small_board: dict[str, Any]) -> None:
    board = copy.deepcopy(small_board)
    for row in board["tasks"]["numeric"]["rows"]:
        del row["per_label_f1"]
    board["tasks"]["topics"]["rows"] = [
        {"model": "m", "run_id": "1", "display_name": "m", "scores": {}, "label_rows": {"covid": 0.5, "crime": None}}
    ]
    assert [t["key"] for t in plots.per_label_tables(board)] == ["ner", "topics"]
    fig = plots.per_label_figure(board, plots.system_colours(board))
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [f"{t}: per label (n/a = not applicable)" for t in ("ner.v1", "topics.v1")]
    topics_ax = fig.axes[1]
    assert [t.get_text() for t in topics_ax.get_xticklabels()] == ["covid", "crime"]
    assert [t.get_text() for t in topics_ax.texts] == ["n/a"]  # crime: None is a gap, not a zero bar


def test_label_rows_win_over_the_old_per_label_f1() -> None:
    from benchmark.render.rows import label_rows

    row = {"label_rows": {"PER": 0.25}, "per_label_f1": {"PER": 1.0, "ORG": 1.0}}
    assert label_rows(row) == {"PER": 0.25}
    assert plots._label_order([row, {"label_rows": {"ORG": None, "PER": 1.0}}]) == ["PER", "ORG"]


def test_legend_names_carry_the_reads_badge() -> None:
    rows = [{"display_name": "a", "reads": "other-units-gold"}, {"display_name": "b", "reads": "article"},
            {"display_name": "c", "uses_gold": True}, {"display_name": "d", "reads": "nothing"}]  # fmt: skip
    assert plots.display_names(rows) == ["a (other units' gold)", "b (article)", "c (gold)", "d"]


def test_publish_removes_a_plot_it_no_longer_draws(render_results: Path) -> None:
    from benchmark.publish import publish

    stale = render_results / "plots" / "ner_per_label_f1.png"  # the per-label plot's old name
    stale.write_bytes(b"\x89PNG\r\n\x1a\n")
    before = (render_results / "leaderboard.html").read_bytes()
    publish(render_results, n_resamples=50)
    assert sorted(p.name for p in (render_results / "plots").iterdir()) == [plots.PER_LABEL_FILE, plots.SPEED_FILE]
    assert (render_results / "leaderboard.html").read_bytes() == before  # same runs, same page
