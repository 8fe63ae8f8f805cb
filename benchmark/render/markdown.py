"""Render the leaderboard structure (:func:`benchmark.leaderboard.build`) as Markdown.

Strings that come from systems or run records (names, run ids, labels, exception messages) go
through :func:`md_escape`: HTML in them is shown as text, and Markdown in them does nothing.
"""

from __future__ import annotations

import re
from typing import Any

from benchmark.render.rows import badge, reads, wording

_MD_SPECIAL = re.compile(r"([`*_\[\]|~#!])")


def md_escape(text: Any) -> str:
    r"""``str(text)`` as inert Markdown on one line: HTML escaped, Markdown punctuation backslashed.

    Example:
        >>> md_escape('<img src=x onerror="alert(1)">')
        '&lt;img src=x onerror="alert(1)"&gt;'
        >>> md_escape("a|b *c* [d](e)\nf")
        'a\\|b \\*c\\* \\[d\\](e) f'
    """
    value = str(text).replace("\\", "\\\\")
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = " ".join(value.split())
    return _MD_SPECIAL.sub(r"\\\1", value)


def fmt_score(score: dict[str, Any] | None) -> str:
    """``0.812 [0.754, 0.861]``, or ``n/a`` for an undefined or absent score.

    Example:
        >>> fmt_score({"estimate": 0.8125, "low": 0.75, "high": 0.875})
        '0.812 [0.750, 0.875]'
        >>> fmt_score({"estimate": None, "low": None, "high": None})
        'n/a'
    """
    if not score or score.get("estimate") is None:
        return "n/a"
    low, high = score.get("low"), score.get("high")
    if low is None or high is None:
        return f"{score['estimate']:.3f}"
    return f"{score['estimate']:.3f} [{low:.3f}, {high:.3f}]"


def _num(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _name(row: dict[str, Any]) -> str:
    name = md_escape(row.get("display_name") or row.get("model", ""))
    tag = badge(row)
    return name if tag is None else f"{name} ({md_escape(tag)})"


def _labels(values: Any, sep: str = ",") -> str:
    return sep.join(md_escape(v) for v in values or [])


def badges_note(board: dict[str, Any]) -> str:
    """What each badge on the board means (only the badges that appear), or an empty string."""
    tables = [board.get("overall", {}), *board.get("tasks", {}).values()]
    seen = {reads(row): badge(row) for t in tables for row in t.get("rows", []) if badge(row)}
    if not seen:
        return ""
    meanings = (f"({md_escape(tag)}) {wording(value)}" for value, tag in sorted(seen.items()))
    return "Badges: " + "; ".join(meanings) + "."


def task_section(table: dict[str, Any]) -> str:
    names = [h["name"] for h in table["headlines"]]
    head = ["rank", "", "system", *names, "load s", "chars/s"]
    with_labels = any("labels" in row for row in table["rows"])
    if with_labels:
        head.insert(-2, "labels (unsupported; merged)")
    lines = [
        f"## {table['task']}: {table['description']}",
        "",
        f"Ranked by `{table['primary']}`. "
        + "; ".join(f"`{h['name']}`: {h['description']}" for h in table["headlines"])
        + ".",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---" for _ in head) + "|",
    ]
    for row in table["rows"]:
        mark = "≈" if row.get("not_significantly_different_from_above") else ""
        cells = [str(row["rank"]), mark, _name(row), *(fmt_score(row["scores"].get(n)) for n in names)]
        if with_labels:
            unsupported = _labels(row.get("unsupported_labels")) or "-"
            merged = ";".join(_labels(g, "+") for g in row.get("merged_labels") or []) or "-"
            cells.append(f"{_labels(row.get('labels'))} ({unsupported}; {merged})")
        cells += [_num(row["load_seconds"], 2), _num(row["chars_per_second"])]
        lines.append("| " + " | ".join(cells) + " |")
    if not table["rows"]:
        lines.append("| " + " | ".join(["-"] * len(head)) + " |")
    for failed in table["failed"]:
        lines.append(
            f"\nFailed: {md_escape(failed['model'])} ({md_escape(failed['run_id'])}): "
            f"{md_escape(failed.get('exception') or failed.get('status', ''))}"
        )
    for flag in table.get("incomplete", []):  # runs that miss a document or predate the task version
        command = str(flag.get("command", "")).replace("`", "")
        lines.append(
            f"\n{md_escape(flag['kind'].capitalize())}: {md_escape(flag['model'])} "
            f"({md_escape(flag['run_id'])}): {md_escape(flag['reason'])}: `{command}`"
        )
    if table.get("missing_documents"):
        lines.append(
            f"\nRanked on {md_escape(', '.join(table['documents']))}; no ranked run covers "
            f"{md_escape(', '.join(table['missing_documents']))} yet: re-run the systems "
            "(`.venv/bin/python scripts/evaluate.py` re-runs the main job)."
        )
    return "\n".join(lines) + "\n"


def overall_section(overall: dict[str, Any]) -> str:
    tasks = overall["tasks"]
    lines = [
        "## Overall",
        "",
        overall["policy"],
        "",
        "| rank | system | overall | tasks | " + " | ".join(tasks) + " |",
        "|---|---|---|---|" + "|".join("---" for _ in tasks) + "|",
    ]
    for row in overall["rows"]:
        per_task = " | ".join(
            "-" if row["per_task"][t] is None else f"{row['per_task'][t]:.3f}" for t in tasks
        )
        lines.append(
            f"| {row['rank']} | {_name(row)} | {row['overall']:.3f} | {row['tasks_covered']}/{len(tasks)} | "
            f"{per_task} |"
        )
    return "\n".join(lines) + "\n"


def robustness_section(robustness: dict[str, Any]) -> str:
    """Each system's change in score on each variant (empty when no variant was run)."""
    rows = robustness.get("rows", [])
    if not rows:
        return ""
    lines = [
        "## Robustness",
        "",
        robustness["note"],
        "",
        "| task | variant | system | metric | original | on variant | change [95% interval] | p |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        change = fmt_score({"estimate": r["change"], "low": r["low"], "high": r["high"]})
        p = "n/a" if r["p_value"] is None else f"{r['p_value']:.3f}"
        lines.append(
            f"| {r['task']} | {r['variant']} | {_name(r)} | {r['metric']} | {_num(r['original'], 3)} | "
            f"{_num(r['on_variant'], 3)} | {change} | {p} |"
        )
    return "\n".join(lines) + "\n"


def render(board: dict[str, Any]) -> str:
    """The whole leaderboard page in Markdown."""
    parts = [
        "# Leaderboard",
        "",
        "<!-- Generated by scripts/leaderboard.py from results/runs; do not edit by hand. -->",
        "",
        f"Documents: {', '.join(board['documents'])}. Guidelines {board['guidelines_version']}, "
        f"gold hash `{board['gold_hash'][:16]}`.",
        "",
        f"**How sure are these numbers?** {board['ci_note']} Significance: {board['significance']}.",
        "",
        board["uses_gold_note"],
        "",
        badges_note(board),
        "",
        overall_section(board["overall"]),
    ]
    parts += [task_section(table) for table in board["tasks"].values()]
    parts.append(robustness_section(board.get("robustness", {})))
    return "\n".join(p for p in parts if p is not None)
