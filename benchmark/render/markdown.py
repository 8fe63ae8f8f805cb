"""Render the leaderboard structure (:func:`benchmark.leaderboard.build`) as Markdown.

Strings that come from systems or run records (names, run ids, labels, exception messages) go
through :func:`md_escape`: HTML in them is shown as text, and Markdown in them does nothing.
"""

from __future__ import annotations

import re
from typing import Any

from benchmark.render.rows import badge, percent, reads, wording

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


def detectable_sentence(table: dict[str, Any]) -> str:
    """What the task's paired test can detect (``table["detectable"]``), or an empty string."""
    found = table.get("detectable")
    if not found or found.get("difference") is None:
        return ""
    return (
        f"**What this table can detect:** a difference of {found['difference']:.3f} in `{found['metric']}` "
        f"between two systems is found with {found['power']:.0%} power at the corrected level "
        f"(alpha = {found['alpha']:.2g} per pair, {found['units']} units; from "
        f"{_labels(found['systems'], ' and ')}); smaller differences can go unseen. "
        + md_escape(found["method"])
    )


def pairwise_lines(table: dict[str, Any]) -> list[str]:
    """The significantly different pairs of a task (the rest are not distinguishable)."""
    pairwise = table.get("pairwise") or {}
    pairs = pairwise.get("pairs") or []
    if not pairs:
        return []
    names = {row["model"]: _name(row) for row in table["rows"]}
    found = []
    for p in pairs:
        if not p.get("significant"):
            continue
        better, worse = (p["a"], p["b"]) if p.get("better") == p["a"] else (p["b"], p["a"])
        interval = fmt_score({"estimate": p["difference"], "low": p["low"], "high": p["high"]})
        p_value = "n/a" if p.get("p_value") is None else f"{p['p_value']:.3f}"
        found.append(f"{names.get(better, md_escape(better))} > {names.get(worse, md_escape(worse))} "
                     f"(difference {interval}, p = {p_value})")  # fmt: skip
    level = f"{pairwise.get('confidence', 0):.2%}"
    head = (f"Pairwise ({len(pairs)} pairs, Bonferroni: each interval at {level}; the interval decides): "
            "the group letters show who is distinguishable.")  # fmt: skip
    body = "; ".join(found) + "." if found else "no pair is significantly different."
    return [f"\n{head} Significantly different: {body}"]


def _llm_lines(table: dict[str, Any]) -> list[str]:
    out = []
    for row in table["rows"]:
        llm = row.get("llm")
        if llm:
            parse = percent(llm.get("parse_failure_rate"))
            grounding = percent(llm.get("grounding_failure_rate"))
            out.append(f"{_name(row)}: {parse} of answers unreadable, {grounding} of items not in the text")
    return [f"\nLLM failure rates: {'; '.join(out)}."] if out else []


def task_section(table: dict[str, Any]) -> str:
    """One task's table: the reference row (unranked), the ranked rows with their letter groups."""
    names = [h["name"] for h in table["headlines"]]
    head = ["rank", "group", "system", *names, "load s", "chars/s"]
    with_labels = any("labels" in row for row in table["rows"])
    if with_labels:
        head.insert(-2, "labels (unsupported; merged)")
    detectable = detectable_sentence(table)
    lines = [
        f"## {table['task']}: {table['description']}",
        "",
        *([detectable, ""] if detectable else []),
        f"Ranked by `{table['primary']}`; the reference row (ref) is the ceiling, not ranked; systems "
        "sharing a group letter are not significantly different. "
        + "; ".join(f"`{h['name']}`: {h['description']}" for h in table["headlines"])
        + ".",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---" for _ in head) + "|",
    ]
    for row in table["rows"]:
        rank = "ref" if row.get("reference") or row.get("rank") is None else str(row["rank"])
        group = md_escape(row.get("group") or "-")
        cells = [rank, group, _name(row), *(fmt_score(row["scores"].get(n)) for n in names)]
        if with_labels:
            unsupported = _labels(row.get("unsupported_labels")) or "-"
            merged = ";".join(_labels(g, "+") for g in row.get("merged_labels") or []) or "-"
            cells.append(f"{_labels(row.get('labels'))} ({unsupported}; {merged})")
        cells += [_num(row["load_seconds"], 2), _num(row["chars_per_second"])]
        lines.append("| " + " | ".join(cells) + " |")
    if not table["rows"]:
        lines.append("| " + " | ".join(["-"] * len(head)) + " |")
    lines += pairwise_lines(table)
    lines += _llm_lines(table)
    for failed in table["failed"]:
        why = failed.get("exception") or failed.get("reason") or failed.get("status", "")
        rates = failed.get("llm")
        extra = f" ({percent(rates.get('parse_failure_rate'))} of answers unreadable)" if rates else ""
        who = f"{md_escape(failed['model'])} ({md_escape(failed['run_id'])})"
        lines.append(f"\nFailed: {who}: {md_escape(why)}{extra}")
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


def _overall_cells(row: dict[str, Any], tasks: list[str]) -> str:
    cells = []
    for t in tasks:
        value, rank = row["per_task"].get(t), (row.get("per_task_rank") or {}).get(t)
        cells.append("-" if value is None else f"{value:.3f}" + ("" if rank is None else f" (#{rank})"))
    return " | ".join(cells)


def overall_section(overall: dict[str, Any]) -> str:
    """One ranking per task set (systems covering the same tasks), the reference rows unranked."""
    tasks = overall["tasks"]
    head = "| rank | system | mean | tasks | " + " | ".join(f"{t} (task rank)" for t in tasks) + " |"
    rule = "|---|---|---|---|" + "|".join("---" for _ in tasks) + "|"
    lines = ["## Overall", "", overall["policy"]]
    sets = overall.get("task_sets") or [{"id": None, "tasks": tasks}]
    groups = [("Reference (not ranked)", [r for r in overall["rows"] if r.get("reference")])]
    for task_set in sets:
        members = [r for r in overall["rows"] if not r.get("reference")
                   and (task_set["id"] is None or r.get("task_set") == task_set["id"])]  # fmt: skip
        groups.append((f"Systems covering {' + '.join(task_set['tasks'])}", members))
    for title, rows in groups:
        if not rows:
            continue
        lines += ["", f"### {title}", "", head, rule]
        for row in rows:
            rank = "ref" if row.get("rank") is None else str(row["rank"])
            mean = "n/a" if row.get("overall") is None else f"{row['overall']:.3f}"
            lines.append(f"| {rank} | {_name(row)} | {mean} | {row['tasks_covered']}/{len(tasks)} | "
                         f"{_overall_cells(row, tasks)} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def _significant(value: bool | None) -> str:
    return "n/a" if value is None else ("yes" if value else "no")


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
        "| task | variant | system | metric | original | on variant | change [95% interval] | p "
        "| significant |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        change = fmt_score({"estimate": r["change"], "low": r["low"], "high": r["high"]})
        p = "n/a" if r["p_value"] is None else f"{r['p_value']:.3f}"
        lines.append(
            f"| {r['task']} | {r['variant']} | {_name(r)} | {r['metric']} | {_num(r['original'], 3)} | "
            f"{_num(r['on_variant'], 3)} | {change} | {p} | {_significant(r.get('significant'))} |"
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
        f"**How sure are these numbers?** {board['ci_note']} Significance: "
        f"{board['significance'].rstrip('.')}.",
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
