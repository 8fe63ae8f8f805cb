"""A task's pairwise significance view: every pair of ranked systems, as a matrix.

Reads ``pairwise`` of a task table (:func:`benchmark.leaderboard.build`): one entry per unordered
pair of ranked systems (``a`` ranked above ``b``) with the difference ``a - b`` in the primary
score, its multiplicity-adjusted interval and the decision (``significant``: the interval
excludes 0). Cell ``(i, j)`` reads from row ``i``'s side (row minus column) and has the id
``pair-KEY-i-j`` (``i``, ``j``: positions among the ranked rows, 0 the best), which the tables'
"vs best" links point at. Each row repeats the system's group letters, so the matrix and the
letters can be checked against each other. Nothing here names a task.
"""

from __future__ import annotations

import shlex
from typing import Any

from benchmark.render.widgets import esc

COMPARE = ".venv/bin/python scripts/compare.py"


def compare_command(a: dict[str, Any], b: dict[str, Any]) -> str:
    """The command that compares two rows' runs item by item.

    Example:
        >>> compare_command({"model": "a", "run_id": "1"}, {"model": "b c", "run_id": "2"})
        ".venv/bin/python scripts/compare.py a/1 'b c/2'"
    """
    return " ".join([COMPARE, *(shlex.quote(f"{r.get('model')}/{r.get('run_id')}") for r in (a, b))])


def _signed(value: float) -> str:
    """``+0.080``, ``−0.020`` (a true minus sign), ``+0.000`` for anything that rounds to 0."""
    value = 0.0 if abs(value) < 0.0005 else value
    return f"{value:+.3f}".replace("-", "−")


def _from_row_side(pair: dict[str, Any], row_model: str) -> tuple[float, float | None, float | None]:
    d, low, high = float(pair.get("difference") or 0.0), pair.get("low"), pair.get("high")
    if pair.get("a") == row_model:
        return d, low, high
    return -d, (None if high is None else -high), (None if low is None else -low)


def _cell(
    key: str, i: int, j: int, pair: dict[str, Any] | None, row: dict[str, Any], col: dict[str, Any]
) -> str:
    cell_id = f"pair-{esc(key)}-{i}-{j}"
    if pair is None:
        return f'<td id="{cell_id}" class="pair missing">no test</td>'
    d, low, high = _from_row_side(pair, str(row.get("model")))
    significant = bool(pair.get("significant"))
    if significant:
        verdict = "better" if d > 0 else "worse"
        mark = "▲" if d > 0 else "▼"
    else:
        verdict, mark = "not different", "≈"
    interval = "" if low is None or high is None else f"[{_signed(low)}, {_signed(high)}]"
    p = pair.get("p_adjusted", pair.get("p_value"))
    title = (
        f"{row.get('model')} minus {col.get('model')}: {d:+.3f}, adjusted interval {interval}; "
        f"{verdict}" + ("" if p is None else f"; adjusted p = {float(p):.3g}")
        + f". Item by item: {compare_command(row, col)}"
    )  # fmt: skip
    return (
        f'<td id="{cell_id}" class="pair {"sig" if significant else "ns"}" data-a="{esc(row.get("model"))}" '
        f'data-b="{esc(col.get("model"))}" data-significant="{"true" if significant else "false"}" '
        f'title="{esc(title)}"><span class="verdict">{mark} {esc(verdict)}</span> {esc(_signed(d))}'
        f'<span class="ci">{esc(interval)}</span></td>'
    )


def _commands(key: str, ranked: list[dict[str, Any]]) -> str:
    """The command comparing each ranked system with the best one item by item (``compare.py``)."""
    items = "".join(
        f'<li id="compare-{esc(key)}-{i}">{esc(row.get("display_name") or row.get("model"))}: '
        f"<code>{esc(compare_command(ranked[0], row))}</code></li>"
        for i, row in enumerate(ranked[1:], start=1)
    )
    head = "<p>Item by item against the best (what one got right and the other did not):</p>"
    return f'{head}<ul class="compare">{items}</ul>'


def pairwise_section(table_data: dict[str, Any]) -> str:
    """The matrix of every pair of ranked systems with the adjusted interval and the decision
    (empty when the board has no ``pairwise`` for this task)."""
    pairwise = table_data.get("pairwise")
    if not isinstance(pairwise, dict):
        return ""
    key = str(table_data.get("key", ""))
    ranked = [r for r in table_data.get("rows", []) if not r.get("reference")]
    method = (
        f"<p><small>{esc(pairwise.get('method', ''))} ({esc(pairwise.get('comparisons', 0))} comparisons, "
        f"α = {esc(pairwise.get('alpha', ''))} overall, each interval at "
        f"{100 * float(pairwise.get('confidence') or 0):.2f}%). “Not different” is not transitive, so a "
        "system can carry two letters.</small></p>"
    )
    if len(ranked) < 2:
        return (
            f'<details class="pairwise" data-task="{esc(key)}" open><summary>Pairwise comparisons</summary>'
            f"<p>Fewer than two ranked systems: nothing to compare.</p>{method}</details>"
        )
    pairs = {(p.get("a"), p.get("b")): p for p in pairwise.get("pairs", [])}
    head = "".join(
        f'<th scope="col" title="{esc(r.get("display_name") or r.get("model"))}">{i + 1}. '
        f"{esc(r.get('display_name') or r.get('model'))}</th>"
        for i, r in enumerate(ranked)
    )
    body = []
    for i, row in enumerate(ranked):
        cells = []
        for j, col in enumerate(ranked):
            if i == j:
                cells.append('<td class="pair self">—</td>')
                continue
            a, b = row.get("model"), col.get("model")
            cells.append(_cell(key, i, j, pairs.get((a, b)) or pairs.get((b, a)), row, col))
        group = esc(row.get("group") or "")
        body.append(
            f'<tr data-model="{esc(row.get("model"))}"><th scope="row" class="system">{i + 1}. '
            f'{esc(row.get("display_name") or row.get("model"))} <span class="group">{group}</span></th>'
            f"{''.join(cells)}</tr>"
        )
    caption = (
        f"{esc(table_data.get('task', ''))}: row minus column in {esc(pairwise.get('metric', ''))}, "
        "adjusted interval below; ▲ row better, ▼ row worse, ≈ not significantly different"
    )
    return (
        f'<details class="pairwise" data-task="{esc(key)}"><summary>Pairwise comparisons '
        f'({len(pairs)} pairs)</summary>{method}<div class="table-wrap"><table class="matrix">'
        f'<caption>{caption}</caption><thead><tr><th scope="col" class="system">system (group)</th>'
        f"{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>{_commands(key, ranked)}</details>"
    )
