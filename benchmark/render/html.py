"""Render the leaderboard (:func:`benchmark.leaderboard.build`) as one self-contained HTML page.

The page needs no network: its CSS and JavaScript (package data, ``static/leaderboard.css`` and
``static/leaderboard.js``) are inlined and allowed by hash in a Content-Security-Policy that
forbids everything else; plots are ``data:`` URIs. It shows the note on intervals, the overall
table, one sortable table per task (with its per-label rows where the rows carry them), the
failed runs and the plots, then an error-analysis view per run: for every document and task, the
task's own view (:meth:`benchmark.tasks.base.Task.html_view`) of the scorer's output.

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
from benchmark.render.markdown import fmt_score
from benchmark.render.rows import badge, label_rows, reads, wording
from benchmark.render.widgets import esc, sort_attr, table, th

__all__ = ["CHROMIUM_FLAGS", "esc", "render"]

PLOT_CAPTIONS = {
    "per_label.png": "Per-label scores of each task that has label rows, per system (n/a: not applicable)",
    "quality_vs_speed.png": "Primary score of each task (95% interval) against characters per second",
}

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


# --------------------------------------------------------------------------- small helpers


def _num(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def name_html(row: dict[str, Any]) -> str:
    """The system's name, escaped, with a badge saying what it has seen of the benchmark.

    Example:
        >>> name_html({"display_name": "<b>", "reads": "article"})[:50]
        '&lt;b&gt; <span class="badge reads-article" title='
        >>> name_html({"display_name": "x", "reads": "nothing"})
        'x'
    """
    name = esc(row.get("display_name") or row.get("model", ""))
    tag = badge(row)
    if tag is None:
        return name
    value = reads(row)
    return f'{name} <span class="badge reads-{esc(value)}" title="{esc(wording(value))}">{esc(tag)}</span>'


def _score_cell(score: dict[str, Any] | None) -> str:
    """The estimate, and its 95% interval on a second line (the full text in the tooltip)."""
    estimate = (score or {}).get("estimate")
    text = fmt_score(score)
    if estimate is None or "[" not in text:
        return f'<td class="num"{sort_attr(estimate)}>{esc(text)}</td>'
    head, interval = text.split(" ", 1)
    return (
        f'<td class="num"{sort_attr(estimate)} title="{esc(text)} (95% interval)">{esc(head)}'
        f'<span class="ci">{esc(interval)}</span></td>'
    )


# --------------------------------------------------------------------------- leaderboard tables


def notes_section(board: dict[str, Any]) -> str:
    """The header: documents, guidelines, and how sure the numbers are."""
    docs = ", ".join(esc(d) for d in board.get("documents", []))
    return (
        f"<p>Documents: {docs}. Guidelines {esc(board.get('guidelines_version', ''))}, gold hash "
        f"<code>{esc(str(board.get('gold_hash', ''))[:16])}</code>.</p>"
        '<section class="note" aria-labelledby="h-sure"><h2 id="h-sure">How sure are these numbers?</h2>'
        f"<p>{esc(board.get('ci_note', ''))}</p><p>Significance: {esc(board.get('significance', ''))}.</p>"
        f"<p>{esc(board.get('uses_gold_note', ''))}</p></section>"
    )


def overall_section(overall: dict[str, Any]) -> str:
    """The overall table with its policy."""
    tasks = overall.get("tasks", [])
    head = [th("rank"), th("system"), th("overall"), th("tasks")]
    head += [th(t, f"primary score of {t}") for t in tasks]
    body = []
    for row in overall.get("rows", []):
        cells = [
            f'<td class="num"{sort_attr(row["rank"])}>{esc(row["rank"])}</td>',
            f"<td>{name_html(row)}</td>",
            f'<td class="num"{sort_attr(row["overall"])}>{row["overall"]:.3f}</td>',
            f'<td class="num"{sort_attr(row["tasks_covered"])}>{esc(row["tasks_covered"])}/{len(tasks)}</td>',
        ]
        for t in tasks:
            v = row["per_task"].get(t)
            cells.append(f'<td class="num"{sort_attr(v)}>{"-" if v is None else f"{v:.3f}"}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        '<section aria-labelledby="h-overall"><h2 id="h-overall">Overall</h2>'
        f"<p>{esc(overall.get('policy', ''))}</p>"
        f"{table(head, body, caption='Overall (click a column header to sort)')}</section>"
    )


def _labels_cell(row: dict[str, Any]) -> str:
    labels = row.get("labels") or []
    unsupported = ", ".join(row.get("unsupported_labels") or []) or "-"
    merged = "; ".join("+".join(g) for g in row.get("merged_labels") or []) or "-"
    title = f"unsupported: {unsupported}; merged: {merged}"
    return (
        f'<td{sort_attr(len(labels))} title="{esc(title)}">{esc(", ".join(labels))}'
        f"<br><small>unsupported: {esc(unsupported)}; merged: {esc(merged)}</small></td>"
    )


def _has_labels(table_data: dict[str, Any]) -> bool:
    """Whether the table's rows say which labels each system predicts (a ``labels`` column)."""
    return any("labels" in row for row in table_data["rows"])


def _task_row(table_data: dict[str, Any], row: dict[str, Any]) -> str:
    similar = row.get("not_significantly_different_from_above")
    p = row.get("p_value_vs_above")
    mark_title = "" if p is None else f' title="p = {p:.3f} against the system ranked above"'
    cells = [
        f'<td class="num"{sort_attr(row["rank"])}>{esc(row["rank"])}</td>',
        f'<td class="approx"{mark_title}>{"≈" if similar else ""}</td>',
        f'<td title="{esc(row.get("description", ""))}">{name_html(row)}</td>',
        *(_score_cell(row["scores"].get(h["name"])) for h in table_data["headlines"]),
    ]
    if _has_labels(table_data):
        cells.append(_labels_cell(row))
    cells += [
        f'<td class="num"{sort_attr(row.get("load_seconds"))}>{_num(row.get("load_seconds"), 2)}</td>',
        f'<td class="num"{sort_attr(row.get("chars_per_second"))}>{_num(row.get("chars_per_second"))}</td>',
    ]
    return f"<tr>{''.join(cells)}</tr>"


def _failed_list(failed: Sequence[dict[str, Any]]) -> str:
    if not failed:
        return ""
    items = "".join(
        f"<li><strong>{esc(f['model'])}</strong> (<code>{esc(f['run_id'])}</code>): {esc(f['status'])}"
        f"<pre>{esc(f.get('exception') or '')}</pre></li>"
        for f in failed
    )
    return f'<div class="failed"><h3>Failed runs</h3><ul>{items}</ul></div>'


def _incomplete_list(table_data: dict[str, Any]) -> str:
    """Runs left out of the ranking (a document missing, an older task version), with the command
    that re-runs them; and the documents no ranked run covers yet."""
    items = "".join(
        f"<li><strong>{esc(f['model'])}</strong> (<code>{esc(f['run_id'])}</code>): {esc(f['kind'])}: "
        f"{esc(f['reason'])}; <code>{esc(f.get('command', ''))}</code></li>"
        for f in table_data.get("incomplete", [])
    )
    out = f'<div class="incomplete"><h3>Not ranked</h3><ul>{items}</ul></div>' if items else ""
    if table_data.get("missing_documents"):
        out += (
            f"<p>Ranked on {esc(', '.join(table_data.get('documents', [])))}; no ranked run covers "
            f"{esc(', '.join(table_data['missing_documents']))} yet.</p>"
        )
    return out


def label_rows_table(table_data: dict[str, Any]) -> str:
    """Each system's per-label rows (:meth:`Task.label_rows`), collapsed; empty when none."""
    rows = [(row, label_rows(row)) for row in table_data["rows"]]
    names = list(dict.fromkeys(name for _, values in rows for name in values))
    if not names:
        return ""
    head = [th("system"), *(th(n) for n in names)]
    body = []
    for row, values in rows:
        cells = [f"<td>{name_html(row)}</td>"]
        for n in names:
            v = values.get(n)
            cells.append(f'<td class="num"{sort_attr(v)}>{"n/a" if v is None else f"{v:.3f}"}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    caption = f"{esc(table_data['task'])} per label (n/a: not applicable; click a column header to sort)"
    return f"<details><summary>Per label</summary>{table(head, body, caption=caption)}</details>"


def robustness_section(robustness: dict[str, Any]) -> str:
    """Each system's change in score on each variant, with its paired interval."""
    rows = robustness.get("rows", [])
    if not rows:
        return ""
    head = [th("task"), th("variant"), th("system"), th("metric"), th("original"), th("on variant"),
            th("change", "variant minus original, paired 95% interval"), th("p")]  # fmt: skip
    body = []
    for row in rows:
        change = {"estimate": row["change"], "low": row["low"], "high": row["high"]}
        cells = [f"<td>{esc(row['task'])}</td>", f"<td>{esc(row['variant'])}</td>",
                 f"<td>{name_html(row)}</td>",
                 f"<td>{esc(row['metric'])}</td>", _score_cell({"estimate": row["original"]}),
                 _score_cell({"estimate": row["on_variant"]}), _score_cell(change),
                 _score_cell({"estimate": row["p_value"]})]  # fmt: skip
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        '<section aria-labelledby="h-robust"><h2 id="h-robust">Robustness</h2>'
        f"<p>{esc(robustness.get('note', ''))}</p>{table(head, body, caption='Score change per variant')}"
        "</section>"
    )


def task_section(table_data: dict[str, Any]) -> str:
    """One task's table: rank, ≈, system, every headline with its interval, labels, speed."""
    key = esc(table_data["key"])
    head = [th("rank"), th("≈", "not significantly different from the row above"), th("system")]
    for h in table_data["headlines"]:
        direction = "higher is better" if h.get("higher_is_better", True) else "lower is better"
        head.append(th(h["name"], f"{h['description']} ({direction})"))
    if _has_labels(table_data):
        head.append(th("labels", "labels the system predicts; unsupported and merged labels"))
    head += [th("load s", "seconds to load the model"), th("chars/s", "characters per second predicted")]
    body = [_task_row(table_data, row) for row in table_data["rows"]]
    if not body:
        body = [f'<tr><td colspan="{len(head)}">no runs</td></tr>']
    descriptions = "".join(
        f"<li><code>{esc(h['name'])}</code>: {esc(h['description'])}</li>" for h in table_data["headlines"]
    )
    caption = (
        f"{esc(table_data['task'])}, ranked by {esc(table_data['primary'])} (click a column header to sort)"
    )
    return (
        f'<section aria-labelledby="h-task-{key}"><h2 id="h-task-{key}">{esc(table_data["task"])}: '
        f"{esc(table_data['description'])}</h2><details><summary>Scores</summary><ul>{descriptions}</ul>"
        f"</details>{table(head, body, caption=caption)}{label_rows_table(table_data)}"
        f"{_incomplete_list(table_data)}{_failed_list(table_data.get('failed', []))}</section>"
    )


def plots_section(images: Sequence[Path]) -> str:
    """Every plot inline as a base64 ``data:`` URI."""
    figures = []
    for path in images:
        path = Path(path)
        if not path.is_file():
            continue
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        alt = PLOT_CAPTIONS.get(path.name, path.stem.replace("_", " "))
        figures.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
            f"<figcaption>{esc(alt)}</figcaption></figure>"
        )
    if not figures:
        return ""
    return f'<section aria-labelledby="h-plots"><h2 id="h-plots">Plots</h2>{"".join(figures)}</section>'


# --------------------------------------------------------------------------- error analysis


def _task_status(run: RunRecord, key: str) -> tuple[bool, str]:
    """Whether the run has ``key`` scored, else the reason to show (not run / failed)."""
    entry = run.meta.get("tasks", {}).get(key)
    if entry is None:
        return False, "not run"
    status = entry.get("status")
    if status == "ok" and key in run.scores:
        return True, ""
    exception = run.errors.get(key, {}).get("exception") or ""
    return False, f"{status}: {exception}" if exception else str(status or "not run")


def _without_paths(message: str, run: RunRecord) -> str:
    """A message with the run folder's local path shortened to ``runs/MODEL/RUN_ID``."""
    path = getattr(run, "path", None)
    if path is None:
        return message
    return message.replace(str(Path(path)), f"runs/{run.model}/{run.run_id}")


def _load_predictions(run: RunRecord, task: Any, doc: Document) -> tuple[list[Any] | None, str]:
    if task.key not in doc.gold:
        return None, "no gold annotation of this task for this document"
    ok, reason = _task_status(run, task.key)
    if not ok:
        return None, reason
    try:
        return run.predictions(task.key, doc.id), ""
    except FileNotFoundError:
        return None, "not run on this document (the run is older than the document: run it again)"
    except (OSError, ValueError) as exc:
        return None, f"predictions unreadable: {_without_paths(str(exc), run)}"


def _context(run: RunRecord) -> Any:
    """The scoring context recorded in the run (labels it predicts, labels it merges)."""
    from benchmark.tasks.base import ScoringContext

    scoring = run.meta.get("scoring", {})
    labels, merged = scoring.get("labels"), scoring.get("merged_labels") or []
    return ScoringContext(tuple(labels) if labels else None, tuple(tuple(g) for g in merged))


def scored(run: RunRecord, task: Any, doc: Document, predictions: Sequence[Any]) -> tuple[Any, Any]:
    """The scorer's ``details`` and ``errors`` of one task on one document, as the run recorded
    them; asked of the task's scorer only where the run record has none for this document."""
    details = run.scores.get(task.key, {}).get("documents", {}).get(doc.id)
    errors = run.errors.get(task.key, {}).get("analysis", {}).get(doc.id)
    if details is None:
        details = task.details(doc, predictions, _context(run))
    if errors is None:
        errors = task.errors(doc, predictions, _context(run))
    return details, errors


def task_view(run: RunRecord, task: Any, doc: Document) -> str:
    """One task's view of one run on one document (or why there is none)."""
    scored_as = run.meta.get("tasks", {}).get(task.key, {}).get("task")
    older = ""
    if scored_as not in (None, task.name):
        older = f' <small class="not-run">(scored as {esc(scored_as)}: rescore to update)</small>'
    title = f"<h5>{esc(task.name)}: {esc(task.description)}{older}</h5>"
    predictions, reason = _load_predictions(run, task, doc)
    if predictions is None:
        body = f'<p class="not-run">{esc(reason)}</p>'
    else:
        body = task.html_view(doc, predictions, *scored(run, task, doc, predictions))
    return f'<div class="task-view" data-task="{esc(task.key)}">{title}{body}</div>'


def run_section(index: int, run: RunRecord, docs: Sequence[Document]) -> str:
    """The error-analysis view of one run, for every document and every task with gold in it."""
    from benchmark.tasks import TASKS, get_task

    name = run.meta.get("display_name", run.model)
    parts = [
        f'<section class="run" id="run-{index}" data-model="{esc(run.model)}" '
        f'data-run-id="{esc(run.run_id)}" aria-labelledby="h-run-{index}">'
        f'<h3 id="h-run-{index}">{esc(name)} <small>({esc(run.model)}, run <code>{esc(run.run_id)}</code>)'
        "</small></h3>"
        f"<p>{esc(run.meta.get('adapter', {}).get('description', ''))}</p>"
    ]
    tasks = [get_task(key) for key in TASKS.names()]
    for doc in docs:
        views = "".join(task_view(run, task, doc) for task in tasks if task.key in doc.gold)
        parts.append(
            f'<article class="doc" data-doc="{esc(doc.id)}"><h4>Document {esc(doc.id)}</h4>{views}</article>'
        )
    parts.append("</section>")
    return "".join(parts)


def analysis_section(runs: Sequence[RunRecord], docs: Sequence[Document]) -> str:
    """A run picker (a native select, keyboard accessible) and one section per run."""
    if not runs:
        return ""
    options = "".join(
        f'<option value="run-{i}">{esc(r.meta.get("display_name", r.model))} ({esc(r.run_id)})</option>'
        for i, r in enumerate(runs)
    )
    sections = "".join(run_section(i, r, docs) for i, r in enumerate(runs))
    return (
        '<section aria-labelledby="h-analysis"><h2 id="h-analysis">Error analysis</h2>'
        '<p><label for="run-select">Run: </label><select id="run-select">'
        f"{options}</select></p>{sections}</section>"
    )


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
    board: dict[str, Any], runs: Sequence[RunRecord], docs: Sequence[Document], images: Sequence[Path]
) -> str:
    """The whole leaderboard as one self-contained HTML page.

    Args:
        board: The leaderboard structure.
        runs: The run records (for the error-analysis view).
        docs: The gold documents.
        images: PNG files to embed (from :func:`benchmark.render.plots.render_all`).

    Returns:
        The page, UTF-8 text.
    """
    css, js = static("leaderboard.css"), static("leaderboard.js")
    body = [
        "<h1>Leaderboard</h1>",
        notes_section(board),
        overall_section(board.get("overall", {})),
        *(task_section(t) for t in board.get("tasks", {}).values()),
        robustness_section(board.get("robustness", {})),
        plots_section(images),
        analysis_section([r for r in runs if not r.meta.get("variant")], docs),
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
