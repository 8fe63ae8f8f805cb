"""Render the leaderboard (:func:`benchmark.leaderboard.build`) as one self-contained HTML page.

The page needs no network: its CSS and JavaScript (package data, ``static/leaderboard.css`` and
``static/leaderboard.js``) are inlined and allowed by hash in a Content-Security-Policy that
forbids everything else; plots are inline SVG (:mod:`benchmark.render.plots`). Its only links
are relative: the CSV, JSON and Markdown beside it, each row's run record (``runs/MODEL/RUN_ID/``)
and the plot files. It shows the newest run (from the run records, never the clock), filters
(name, kind, label set), the note on intervals and the badges, the overall tables, one section per
task (:mod:`benchmark.render.html_tables`: what it can detect, the table with group letters, the
pairwise view), robustness, the plots, and the error view (:mod:`benchmark.render.html_runs`).

This module scores nothing and names no task. Every string that comes from a model, a run record
or a file goes through :func:`esc`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from benchmark.document import Document
from benchmark.records import RunRecord
from benchmark.render import plots
from benchmark.render.html_runs import SectionSource, analysis_section, board_runs
from benchmark.render.html_tables import (
    glance_section,
    inline_md,
    label_rows_table,
    name_html,
    overall_section,
    robustness_section,
    task_section,
)
from benchmark.render.rows import KINDS, badge, kind, reads, wording
from benchmark.render.widgets import esc

__all__ = [
    "CHROMIUM_FLAGS",
    "esc",
    "label_rows_table",
    "name_html",
    "overall_section",
    "render",
    "robustness_section",
    "task_section",
]

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""How the screenshot script and the browser test start Debian's Chromium: headless, and with
nothing that reaches the network (a closed network refuses those connections)."""


@functools.cache
def static(name: str) -> str:
    """A file of ``benchmark/render/static/`` (package data), as text."""
    return resources.files("benchmark.render").joinpath("static", name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- header, filters, notes


def newest_run(board: dict[str, Any]) -> dict[str, Any] | None:
    """The newest run: the board's ``newest_run``, else the run of ``runs`` that finished last.

    Example:
        >>> newest_run({"runs": [{"model": "a", "finished_at": "2026-01-02"}, {"model": "b"}]})
        {'model': 'a', 'finished_at': '2026-01-02'}
    """
    if "newest_run" in board:
        return board["newest_run"]
    finished = [r for r in board.get("runs", []) if r.get("finished_at")]
    return max(finished, key=lambda r: (r["finished_at"], str(r.get("run_id", ""))), default=None)


def header_section(board: dict[str, Any], images: Sequence[Path]) -> str:
    """The newest run's finish time and commit, and links to the files beside the page."""
    newest = newest_run(board)
    when = ""
    if newest:
        full = str(newest.get("git_commit") or "unknown")
        commit = full[:12] + (" (uncommitted changes)" if full.endswith("-dirty") else "")
        when = (
            f'<p class="newest">Newest run: <strong>{esc(newest.get("model", ""))}</strong> finished '
            f"<time>{esc(newest.get('finished_at', ''))}</time> at commit <code>{esc(commit)}</code>.</p>"
        )
    files = [f'<a href="leaderboard.{ext}">leaderboard.{ext}</a>' for ext in ("csv", "json", "md")]
    files += [f'<a href="plots/{esc(Path(p).name)}">plots/{esc(Path(p).name)}</a>' for p in images]
    nav = [("h-glance", "At a glance"), ("h-overall", "Overall")]
    nav += [(f"h-task-{t['key']}", t["task"]) for t in board.get("tasks", {}).values()]
    nav += [("h-robust", "Robustness"), ("h-plots", "Plots"), ("h-analysis", "Inspect errors")]
    links = " · ".join(f'<a href="#{esc(i)}">{esc(text)}</a>' for i, text in nav)
    return f'{when}<p class="files">Data beside this page: {" · ".join(files)}</p><nav>{links}</nav>'


def _all_rows(board: dict[str, Any]) -> list[dict[str, Any]]:
    rows = list(board.get("overall", {}).get("rows", []))
    for table in board.get("tasks", {}).values():
        rows += table.get("rows", [])
    return rows + list(board.get("robustness", {}).get("rows", []))


def label_sets(board: dict[str, Any]) -> dict[str, str]:
    """Per model: the labels it predicts (space-separated, in its rows' order), from any task table."""
    out: dict[str, str] = {}
    for table in board.get("tasks", {}).values():
        for row in table.get("rows", []):
            if row.get("labels") and str(row.get("model")) not in out:
                out[str(row.get("model"))] = " ".join(str(x) for x in row["labels"])
    return out


def filters_section(board: dict[str, Any], labels_of: dict[str, str]) -> str:
    """Filters over every table row: a name search, the kind of system, the label set."""
    present = {kind(r) for r in _all_rows(board)}
    kinds = [k for k in KINDS if k in present] + sorted(present - set(KINDS))
    kind_options = "".join(f'<option value="{esc(k)}">{esc(k)}</option>' for k in kinds)
    sets = sorted(set(labels_of.values()))
    set_options = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in sets)
    return (
        '<div class="filters" role="search" aria-label="filter systems">'
        '<label>Name <input type="search" id="filter-name" placeholder="e.g. jieba" autocomplete="off">'
        "</label> "
        f'<label>Kind <select id="filter-kind"><option value="">all</option>{kind_options}</select></label> '
        f'<label>Labels <select id="filter-labels"><option value="">any</option>{set_options}</select>'
        "</label> "
        '<output id="filter-count" aria-live="polite"></output></div>'
    )


def notes_section(board: dict[str, Any]) -> str:
    """The header: documents, guidelines, how sure the numbers are, and what the badges mean."""
    docs = ", ".join(esc(d) for d in board.get("documents", []))
    seen = sorted({reads(r) for r in _all_rows(board) if badge(r)})
    badges = "".join(
        f'<li><span class="badge reads-{esc(v)}">{esc(badge({"reads": v}))}</span> {esc(wording(v))}</li>'
        for v in seen
    )
    legend = (
        f'<p>Badges (what a system has seen of the benchmark):</p><ul class="badges">{badges}</ul>'
        if badges
        else ""
    )
    return (
        f"<p>Documents: {docs}. Guidelines {esc(board.get('guidelines_version', ''))}, gold hash "
        f"<code>{esc(str(board.get('gold_hash', ''))[:16])}</code>.</p>"
        '<section class="note" aria-labelledby="h-sure"><h2 id="h-sure">How sure are these numbers?</h2>'
        f"<p>{inline_md(board.get('ci_note', ''))}</p>"
        f"<p>Significance: {inline_md(str(board.get('significance', '')).rstrip('.'))}.</p>"
        f"<p>{inline_md(board.get('uses_gold_note', ''))}</p>{legend}</section>"
    )


def plots_section(board: dict[str, Any]) -> str:
    """Both plots as inline SVG panels, one row per system, labelled directly."""
    out = []
    for _, title, make in plots.PLOTS:
        panels = make(board)
        if panels:
            out.append(f'<figure><figcaption>{esc(title)}</figcaption><div class="panels">'
                       f"{plots.panels_html(panels)}</div></figure>")  # fmt: skip
    if not out:
        return ""
    return f'<section aria-labelledby="h-plots"><h2 id="h-plots">Plots</h2>{"".join(out)}</section>'


# --------------------------------------------------------------------------- page


def _csp(css: str, js: str) -> str:
    """Allow only the page's own inline style and script (by hash) and ``data:`` images."""

    def digest(text: str) -> str:
        return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")

    return (
        f"default-src 'none'; img-src data:; style-src '{digest(css)}'; script-src '{digest(js)}'; "
        "base-uri 'none'; form-action 'none'"
    )


def render(
    board: dict[str, Any],
    runs: Sequence[RunRecord],
    docs: Sequence[Document],
    images: Sequence[Path] = (),
    *,
    sections: SectionSource | None = None,
) -> str:
    """The whole leaderboard as one self-contained HTML page.

    Args:
        board: The leaderboard structure.
        runs: The run records (the error view shows those the board shows).
        docs: The gold documents.
        images: The plot files written beside the page (:func:`benchmark.render.plots.render_all`),
            linked by name; the page draws its own plots inline.
        sections: Where each run's error-view section comes from: called with the section's
            index, the run and a function that renders it (a cache, see
            :class:`benchmark.publish.SectionCache`); by default every section is rendered.

    Returns:
        The page, UTF-8 text.
    """
    css, js = static("leaderboard.css"), static("leaderboard.js")
    shown = board_runs(board, runs)
    anchors = {(r.model, r.run_id): f"run-{i}" for i, r in enumerate(shown)}
    labels_of = label_sets(board)
    body = [
        "<h1>Leaderboard</h1>",
        header_section(board, images),
        glance_section(board),
        filters_section(board, labels_of),
        notes_section(board),
        overall_section(board.get("overall", {}), labels_of, anchors),
        *(task_section(t, labels_of, anchors) for t in board.get("tasks", {}).values()),
        robustness_section(board.get("robustness", {}), labels_of),
        plots_section(board),
        analysis_section(board, shown, docs, anchors, sections=sections),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(_csp(css, js))}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>Leaderboard: {esc(board.get('benchmark', 'benchmark'))}</title>"
        f"<style>{css}</style></head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + f"\n<script>{js}</script>\n</body></html>\n"
    )
