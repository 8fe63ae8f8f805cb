"""The page's error view: one section per run on the board, each task drawn by the task itself.

Two select boxes pick the system and the task; the view opens on the best ranked (not reference)
system of the first task with one, and choosing another task jumps to that task's best system
(its option's ``data-best``). ``#run-N`` anchors select run ``N``. Each task's view is its own
:meth:`benchmark.tasks.base.Task.html_view` of the scorer's output as the run recorded it; this
module scores nothing and names no task.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from benchmark.document import Document
from benchmark.records import RunRecord
from benchmark.render.html_tables import run_path
from benchmark.render.widgets import esc

#: Supplies one run's error-view section: called with its index, the run, and a function that
#: renders it (``benchmark.publish.SectionCache`` returns a stored copy when its inputs match).
SectionSource = Callable[[int, RunRecord, Callable[[], str]], str]


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


def scored(run: RunRecord, task: Any, doc: Document, predictions: Sequence[Any]) -> tuple[Any, Any]:
    """The scorer's ``details`` and ``errors`` of one task on one document, as the run recorded
    them; asked of the task's scorer (with the run's recorded scoring context) only where the
    run record has none for this document."""
    details = run.scores.get(task.key, {}).get("documents", {}).get(doc.id)
    errors = run.errors.get(task.key, {}).get("analysis", {}).get(doc.id)
    if details is None or errors is None:
        from benchmark.run_record import context_of

        context = context_of(run.meta)
        details = task.details(doc, predictions, context) if details is None else details
        errors = task.errors(doc, predictions, context) if errors is None else errors
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
        body += '<p class="mark-info" aria-live="polite"></p>'
    return f'<div class="task-view" data-task="{esc(task.key)}">{title}{body}</div>'


def _tasks(docs: Sequence[Document]) -> list[Any]:
    from benchmark.tasks import TASKS, get_task

    return [get_task(key) for key in TASKS.names() if any(key in doc.gold for doc in docs)]


def run_section(index: int, run: RunRecord, docs: Sequence[Document]) -> str:
    """The error-analysis view of one run, for every document and every task with gold in it."""
    name = run.meta.get("display_name", run.model)
    path = esc(run_path({"model": run.model, "run_id": run.run_id}))
    links = " · ".join(
        f'<a class="record" href="{path}{n}.json">{n}.json</a>' for n in ("scores", "errors", "meta")
    )
    parts = [
        f'<section class="run" id="run-{index}" data-model="{esc(run.model)}" '
        f'data-run-id="{esc(run.run_id)}" aria-labelledby="h-run-{index}">'
        f'<h3 id="h-run-{index}">{esc(name)} <small>({esc(run.model)}, run <code>{esc(run.run_id)}</code>)'
        f"</small></h3><p>{esc(run.meta.get('adapter', {}).get('description', ''))}</p>"
        f'<p class="links">Run record: {links}</p>'
    ]
    tasks = _tasks(docs)
    for doc in docs:
        views = "".join(task_view(run, task, doc) for task in tasks if task.key in doc.gold)
        parts.append(
            f'<article class="doc" data-doc="{esc(doc.id)}"><h4>Document {esc(doc.id)}</h4>{views}</article>'
        )
    parts.append("</section>")
    return "".join(parts)


def board_runs(board: dict[str, Any], runs: Sequence[RunRecord]) -> list[RunRecord]:
    """The runs the board shows (a row, a failed or a left-out entry of a task table), in the
    order given; variant runs are left out (their rows are in the robustness table)."""
    shown: set[tuple[str, str]] = set()
    for table in board.get("tasks", {}).values():
        for entry in [*table.get("rows", []), *table.get("failed", []), *table.get("incomplete", [])]:
            shown.add((str(entry.get("model")), str(entry.get("run_id"))))
    return [r for r in runs if not r.meta.get("variant") and (r.model, r.run_id) in shown]


def best_runs(board: dict[str, Any], anchors: Mapping[tuple[str, str], str]) -> dict[str, str]:
    """Per task key: the anchor of its best ranked (not reference) row that has a section."""
    best = {}
    for key, table in board.get("tasks", {}).items():
        for row in table.get("rows", []):
            anchor = anchors.get((str(row.get("model")), str(row.get("run_id"))))
            if not row.get("reference") and anchor:
                best[key] = anchor
                break
    return best


def analysis_section(
    board: dict[str, Any],
    runs: Sequence[RunRecord],
    docs: Sequence[Document],
    anchors: Mapping[tuple[str, str], str],
    *,
    sections: SectionSource | None = None,
) -> str:
    """The system and task pickers (native selects, keyboard accessible) and one section per run.

    ``runs`` are the runs to show, in anchor order (``anchors`` maps ``(model, run_id)`` to
    ``run-N``). ``sections`` (see :data:`SectionSource`) may supply a run's section instead of
    rendering it.
    """
    if not runs:
        return ""
    best = best_runs(board, anchors)
    tasks = _tasks(docs)
    first = next((t.key for t in tasks if t.key in best), None)
    start = best.get(first or "", "run-0")
    options = "".join(
        f'<option value="run-{i}"{" selected" if f"run-{i}" == start else ""}>'
        f"{esc(r.meta.get('display_name', r.model))} ({esc(r.run_id)})</option>"
        for i, r in enumerate(runs)
    )
    task_options = "".join(
        f'<option value="{esc(t.key)}" data-best="{esc(best.get(t.key, ""))}"'
        f"{' selected' if t.key == first else ''}>{esc(t.name)}</option>"
        for t in tasks
    )
    source = sections or (lambda i, r, render: render())
    views = "".join(source(i, r, partial(run_section, i, r, docs)) for i, r in enumerate(runs))
    return (
        '<section id="errors" aria-labelledby="h-analysis"><h2 id="h-analysis">Inspect errors</h2>'
        "<p>Pick a task (the view jumps to its best ranked system) and a system. In the text, every "
        "highlighted span carries its label; tap one for its details.</p>"
        '<p class="pickers"><label for="task-select">Task: </label><select id="task-select">'
        f'<option value="">all tasks</option>{task_options}</select> '
        f'<label for="run-select">System: </label><select id="run-select">{options}</select></p>'
        f"{views}</section>"
    )
