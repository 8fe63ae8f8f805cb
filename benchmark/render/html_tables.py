"""The leaderboard's tables as HTML: overall, one per task (with its pairwise view), robustness.

Reads the board (:func:`benchmark.leaderboard.build`) defensively: a key the board does not carry
(an older board) leaves its column or section out. Reference rows (``reference``: the oracle)
sit in their own ``<tbody class="reference">`` above the ranked rows, unranked, so sorting (the
page's script sorts the last ``tbody`` only) never moves them among the ranked systems. Every
row says, as ``data-*`` attributes, what the filters read: its model, name, kind and label set.
Every string from a run record goes through :func:`esc`; nothing here names a task.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from benchmark.render.markdown import fmt_score
from benchmark.render.pairwise_html import pairwise_section
from benchmark.render.rows import badge, kind, label_rows, percent, reads, wording
from benchmark.render.widgets import esc, sort_attr, table, th

# --------------------------------------------------------------------------- cells


def inline_md(text: str) -> str:
    """Escaped text with Markdown backtick spans as ``<code>``.

    Example:
        >>> inline_md("`oracle` reads <gold>")
        '<code>oracle</code> reads &lt;gold&gt;'
    """
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", esc(text))


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


def score_cell(score: dict[str, Any] | None) -> str:
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


def row_attrs(row: dict[str, Any], labels_of: Mapping[str, str]) -> str:
    """The ``data-*`` attributes the filters read (model, name, kind, label set)."""
    model = str(row.get("model", ""))
    name = f"{row.get('display_name') or model} {model}".lower()
    return (
        f' data-model="{esc(model)}" data-name="{esc(name)}" data-kind="{esc(kind(row))}"'
        f' data-labels="{esc(labels_of.get(model, ""))}"'
    )


def run_path(row: dict[str, Any]) -> str:
    """The row's run folder relative to the page (``run_path``, else ``runs/MODEL/RUN_ID/``)."""
    return str(row.get("run_path") or f"runs/{row.get('model', '')}/{row.get('run_id', '')}/")


def record_links(row: dict[str, Any], anchors: Mapping[tuple[str, str], str]) -> str:
    """Links to the row's run record (its three JSON files) and to its error view on this page."""
    path = esc(run_path(row))
    links = [
        f'<a class="record" href="{path}{name}.json">{name}</a>' for name in ("scores", "errors", "meta")
    ]
    anchor = anchors.get((str(row.get("model", "")), str(row.get("run_id", ""))))
    if anchor:
        links.append(f'<a class="to-run" href="#{esc(anchor)}">errors in the text</a>')
    return " · ".join(links)


def _tbody(rows: Sequence[str], cls: str) -> str:
    return f'<tbody class="{cls}">{"".join(rows)}</tbody>' if rows else ""


def split_table(head: Sequence[str], reference: Sequence[str], ranked: Sequence[str], *, caption: str) -> str:
    """A sortable table with the reference rows pinned in their own ``tbody`` above the ranked ones."""
    return (
        f'<div class="table-wrap"><table class="sortable"><caption>{caption}</caption><thead><tr>'
        f"{''.join(head)}</tr></thead>{_tbody(reference, 'reference')}"
        f'<tbody class="ranked">{"".join(ranked)}</tbody></table></div>'
    )


def _rank_cell(row: dict[str, Any]) -> str:
    if row.get("reference"):
        return (
            '<td class="num rank" data-sort-value="" title="reference row: the ceiling, not ranked">ref</td>'
        )
    return f'<td class="num rank"{sort_attr(row.get("rank"))}>{esc(row.get("rank"))}</td>'


# --------------------------------------------------------------------------- overall


def _overall_rows(rows: Sequence[dict[str, Any]], tasks: Sequence[str], labels_of: Mapping[str, str],
                  anchors: Mapping[tuple[str, str], str]) -> tuple[list[str], list[str]]:  # fmt: skip
    reference, ranked = [], []
    for row in rows:
        covered = row.get("tasks_covered")
        cells = [
            _rank_cell(row),
            f'<th scope="row" class="system">{name_html(row)}</th>',
            f'<td class="num"{sort_attr(row.get("overall"))}>{_num(row.get("overall"), 3)}</td>',
            f'<td class="num"{sort_attr(covered)}>{esc(covered)}/{len(tasks)}</td>',
        ]
        ranks = row.get("per_task_rank") or {}
        for t in tasks:
            v = (row.get("per_task") or {}).get(t)
            rank = ranks.get(t)
            extra = f'<span class="ci">rank {esc(rank)}</span>' if rank is not None else ""
            cells.append(f'<td class="num"{sort_attr(v)}>{"-" if v is None else f"{v:.3f}"}{extra}</td>')
        cells.append(f'<td class="links">{record_links(row, anchors)}</td>')
        html = f"<tr{row_attrs(row, labels_of)}>{''.join(cells)}</tr>"
        (reference if row.get("reference") else ranked).append(html)
    return reference, ranked


def overall_section(overall: dict[str, Any], labels_of: Mapping[str, str] | None = None,
                    anchors: Mapping[tuple[str, str], str] | None = None) -> str:  # fmt: skip
    """The overall tables (one per set of covered tasks when the board groups them) with the policy."""
    labels_of, anchors = labels_of or {}, anchors or {}
    tasks = overall.get("tasks", [])
    head = [
        th("rank", cls="rank"),
        th("system", cls="system"),
        th("mean", "mean primary score over the covered tasks"),
        th("tasks"),
    ]
    head += [th(t, f"primary score of {t} (and the rank in its task table)") for t in tasks]
    head.append(th("run record", sortable=False))
    rows = overall.get("rows", [])
    sets = overall.get("task_sets")
    groups = [(s.get("id", ""), [r for r in rows if r.get("task_set") == s.get("id")]) for s in sets or []]
    if not sets:
        groups = [("", rows)]
    tables = []
    for set_id, members in groups:
        if not members:
            continue
        reference, ranked = _overall_rows(members, tasks, labels_of, anchors)
        caption = f"Systems covering {esc(set_id)}" if set_id else "Overall"
        tables.append(
            split_table(head, reference, ranked, caption=f"{caption} (click a column header to sort)")
        )
    return (
        '<section aria-labelledby="h-overall"><h2 id="h-overall">Overall</h2>'
        f"<p>{inline_md(overall.get('policy', ''))}</p>{''.join(tables)}</section>"
    )


# --------------------------------------------------------------------------- one task


def _labels_cell(row: dict[str, Any]) -> str:
    labels = row.get("labels") or []
    unsupported = ", ".join(row.get("unsupported_labels") or []) or "-"
    merged = "; ".join("+".join(g) for g in row.get("merged_labels") or []) or "-"
    title = f"unsupported: {unsupported}; merged: {merged}"
    return (
        f'<td{sort_attr(len(labels))} title="{esc(title)}">{esc(", ".join(labels))}'
        f"<br><small>unsupported: {esc(unsupported)}; merged: {esc(merged)}</small></td>"
    )


def _has(table_data: dict[str, Any], key: str) -> bool:
    return any(key in row for row in table_data.get("rows", []))


def llm_cell(row: dict[str, Any]) -> str:
    """The LLM failure rates of a row (parse and grounding, with counts); ``-`` for other systems."""
    llm = row.get("llm")
    if not isinstance(llm, dict):
        return '<td data-sort-value="">-</td>'
    parse, ground = llm.get("parse_failure_rate"), llm.get("grounding_failure_rate")
    return (
        f'<td class="llm-rates"{sort_attr(parse)}>parse {percent(parse)} '
        f"<small>({esc(llm.get('parse_failures', '?'))} of {esc(llm.get('requests', '?'))} answers)"
        "</small><br>"
        f"grounding {percent(ground)} <small>({esc(llm.get('grounding_failures', '?'))} of "
        f"{esc(llm.get('items', '?'))} items)</small></td>"
    )


def _ranked(table_data: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in table_data.get("rows", []) if not r.get("reference")]


def _task_row(
    table_data: dict[str, Any],
    row: dict[str, Any],
    position: int | None,
    labels_of: Mapping[str, str],
    anchors: Mapping[tuple[str, str], str],
) -> str:
    """One row; ``position``: its index among the ranked rows (None: a reference row)."""
    key = str(table_data.get("key", ""))
    cells = [_rank_cell(row)]
    if _has(table_data, "group"):
        group = row.get("group") or ""
        title = "reference: not compared" if row.get("reference") else "systems sharing a letter are not " \
            "significantly different"  # fmt: skip
        cells.append(f'<td class="group" title="{esc(title)}">{esc(group)}</td>')
    cells.append(
        f'<th scope="row" class="system" title="{esc(row.get("description", ""))}">{name_html(row)}</th>'
    )
    cells += [score_cell(row.get("scores", {}).get(h["name"])) for h in table_data.get("headlines", [])]
    if _has(table_data, "labels"):
        cells.append(_labels_cell(row))
    if _has(table_data, "llm"):
        cells.append(llm_cell(row))
    cells += [
        f'<td class="num"{sort_attr(row.get("load_seconds"))}>{_num(row.get("load_seconds"), 2)}</td>',
        f'<td class="num"{sort_attr(row.get("chars_per_second"))}>{_num(row.get("chars_per_second"))}</td>',
    ]
    links = record_links(row, anchors)
    if table_data.get("pairwise") and position:
        links += f' · <a class="vs-best" href="#pair-{esc(key)}-{position}-0">vs best</a>'
    cells.append(f'<td class="links">{links}</td>')
    return f"<tr{row_attrs(row, labels_of)}>{''.join(cells)}</tr>"


def _failed_list(failed: Sequence[dict[str, Any]]) -> str:
    if not failed:
        return ""
    items = []
    for f in failed:
        llm = f.get("llm")
        rates = ""
        if isinstance(llm, dict):
            rates = (f" LLM failures: parse {percent(llm.get('parse_failure_rate'))}, grounding "
                     f"{percent(llm.get('grounding_failure_rate'))}.")  # fmt: skip
        reason = f.get("reason") or f.get("status")
        items.append(
            f"<li><strong>{esc(f.get('model'))}</strong> (<code>{esc(f.get('run_id'))}</code>): {esc(reason)}"
            f"{esc(rates)}<pre>{esc(f.get('exception') or '')}</pre></li>"
        )
    return f'<div class="failed"><h3>Failed runs</h3><ul>{"".join(items)}</ul></div>'


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


def label_rows_table(table_data: dict[str, Any], labels_of: Mapping[str, str] | None = None) -> str:
    """Each system's per-label rows (:meth:`Task.label_rows`), collapsed; empty when none."""
    rows = [(row, label_rows(row)) for row in table_data["rows"]]
    names = list(dict.fromkeys(name for _, values in rows for name in values))
    if not names:
        return ""
    head = [th("system", cls="system"), *(th(n) for n in names)]
    reference, ranked = [], []
    for row, values in rows:
        cells = [f'<th scope="row" class="system">{name_html(row)}</th>']
        for n in names:
            v = values.get(n)
            text = '<span class="na">n/a</span>' if v is None else f"{v:.3f}"
            cells.append(f'<td class="num"{sort_attr(v)}>{text}</td>')
        html = f"<tr{row_attrs(row, labels_of or {})}>{''.join(cells)}</tr>"
        (reference if row.get("reference") else ranked).append(html)
    caption = (
        f"{esc(table_data['task'])} per label (n/a: not applicable, not 0; click a column header to sort)"
    )
    inner = split_table(head, reference, ranked, caption=caption)
    return f"<details><summary>Per label</summary>{inner}</details>"


def detectable_sentence(table_data: dict[str, Any]) -> str:
    """One sentence: the smallest difference the corrected paired test detects with 80% power."""
    d = table_data.get("detectable")
    if not isinstance(d, dict) or d.get("difference") is None:
        return ""
    systems = " and ".join(str(s) for s in d.get("systems") or [])
    units = f" over {esc(d['units'])} units" if d.get("units") is not None else ""
    power, alpha = float(d.get("power") or 0.8), float(d.get("alpha") or 0)
    return (
        f'<p class="detectable"><strong>What this table can detect:</strong> a difference of '
        f"<strong>{float(d['difference']):.3f}</strong> in {esc(d.get('metric', ''))} or more, with "
        f"{power:.0%} power at the corrected level (α = {alpha:.3g} per comparison){units}, "
        f"estimated from {esc(systems or 'the two best ranked systems')}. "
        f'</p><details class="method"><summary>How this was computed</summary>'
        f"<p>{inline_md(str(d.get('method', '')))}</p></details>"
    )


def task_section(table_data: dict[str, Any], labels_of: Mapping[str, str] | None = None,
                 anchors: Mapping[tuple[str, str], str] | None = None) -> str:  # fmt: skip
    """One task's section: what it can detect, its table, per-label rows, pairwise view, left-outs."""
    labels_of, anchors = labels_of or {}, anchors or {}
    key = esc(table_data["key"])
    head = [th("rank", cls="rank")]
    if _has(table_data, "group"):
        tip = "compact letters: systems sharing a letter are not significantly different"
        head.append(th("group", tip, cls="group"))
    head.append(th("system", cls="system"))
    for h in table_data.get("headlines", []):
        direction = "higher is better" if h.get("higher_is_better", True) else "lower is better"
        head.append(th(h["name"], f"{h['description']} ({direction})"))
    if _has(table_data, "labels"):
        head.append(th("labels", "labels the system predicts; unsupported and merged labels"))
    if _has(table_data, "llm"):
        head.append(th("LLM failures", "answers that failed to parse; items that could not be grounded"))
    head += [th("load s", "seconds to load the model"), th("chars/s", "characters per second predicted"),
             th("run record", sortable=False)]  # fmt: skip
    reference, ranked = [], []
    for row in table_data.get("rows", []):
        position = None if row.get("reference") else len(ranked)
        html = _task_row(table_data, row, position, labels_of, anchors)
        (reference if row.get("reference") else ranked).append(html)
    if not reference and not ranked:
        ranked = [f'<tr><td colspan="{len(head)}">no runs</td></tr>']
    descriptions = "".join(
        f"<li><code>{esc(h['name'])}</code>: {esc(h['description'])}</li>"
        for h in table_data.get("headlines", [])
    )
    caption = (
        f"{esc(table_data['task'])}, ranked by {esc(table_data.get('primary', ''))} "
        "(reference rows pinned on top, unranked; click a column header to sort)"
    )
    return (
        f'<section class="task" data-task="{key}" aria-labelledby="h-task-{key}"><h2 id="h-task-{key}">'
        f"{esc(table_data['task'])}: {esc(table_data.get('description', ''))}</h2>"
        f"{detectable_sentence(table_data)}<details><summary>Scores</summary><ul>{descriptions}</ul></details>"
        f"{split_table(head, reference, ranked, caption=caption)}{label_rows_table(table_data, labels_of)}"
        f"{pairwise_section(table_data)}{_incomplete_list(table_data)}"
        f"{_failed_list(table_data.get('failed', []))}</section>"
    )


# --------------------------------------------------------------------------- robustness


def robustness_section(robustness: dict[str, Any], labels_of: Mapping[str, str] | None = None) -> str:
    """Each system's change in score on each variant, with its paired interval; each variant can be
    shown or hidden (checkboxes the page's script reads)."""
    rows = robustness.get("rows", [])
    if not rows:
        return ""
    head = [th("task"), th("variant"), th("system", cls="system"), th("metric"), th("original"),
            th("on variant"),
            th("change", "variant minus original, paired 95% interval"), th("p")]  # fmt: skip
    body = []
    for row in rows:
        change = {"estimate": row.get("change"), "low": row.get("low"), "high": row.get("high")}
        cells = [f"<td>{esc(row.get('task'))}</td>", f"<td>{esc(row.get('variant'))}</td>",
                 f'<th scope="row" class="system">{name_html(row)}</th>',
                 f"<td>{esc(row.get('metric'))}</td>", score_cell({"estimate": row.get("original")}),
                 score_cell({"estimate": row.get("on_variant")}), score_cell(change),
                 score_cell({"estimate": row.get("p_value")})]  # fmt: skip
        attrs = row_attrs(row, labels_of or {}) + f' data-variant="{esc(row.get("variant", ""))}"'
        body.append(f"<tr{attrs}>{''.join(cells)}</tr>")
    variants = list(dict.fromkeys(str(r.get("variant", "")) for r in rows))
    toggles = "".join(
        f'<label class="toggle"><input type="checkbox" class="variant-toggle" value="{esc(v)}" checked> '
        f"{esc(v)}</label>"
        for v in variants
    )
    return (
        '<section id="robustness" aria-labelledby="h-robust"><h2 id="h-robust">Robustness</h2>'
        f"<p>{inline_md(robustness.get('note', ''))}</p>"
        f'<p class="variant-toggles">Variants shown: {toggles}</p>'
        f"{table(head, body, caption='Score change per variant')}</section>"
    )


# --------------------------------------------------------------------------- at a glance


def glance_section(board: dict[str, Any]) -> str:
    """Per task: the best ranked system, its primary score, the systems it cannot be told apart
    from (a shared group letter) and the smallest difference the task's test detects."""
    body = []
    for t in board.get("tasks", {}).values():
        ranked = _ranked(t)
        if not ranked:
            continue
        best, primary = ranked[0], t.get("primary", "")
        letters = set(best.get("group") or "")
        ties = [r for r in ranked[1:] if letters & set(r.get("group") or "")]
        tie_text = ", ".join(name_html(r) for r in ties) or "none: significantly better than every other"
        if "group" not in best:
            tie_text = "see the table"
        d = t.get("detectable") or {}
        detect = "-" if d.get("difference") is None else f"{float(d['difference']):.3f}"
        body.append(
            f'<tr><td><a href="#h-task-{esc(t.get("key", ""))}">{esc(t.get("task", ""))}</a></td>'
            f'<th scope="row" class="system">{name_html(best)}</th>'
            f"{score_cell((best.get('scores') or {}).get(primary))}<td>{esc(primary)}</td>"
            f'<td class="ties">{tie_text}</td><td class="num">{esc(detect)}</td></tr>'
        )
    if not body:
        return ""
    names = ("task", "best ranked system", "score", "metric", "not significantly different from",
             "detectable difference")  # fmt: skip
    head = [th(h, sortable=False) for h in names]
    caption = "The best ranked system per task (the reference row is not ranked)"
    return (
        '<section aria-labelledby="h-glance"><h2 id="h-glance">At a glance</h2>'
        f"{table(head, body, caption=caption, sortable=False)}</section>"
    )
