"""The leaderboard's overall table: one ranking per set of tasks covered, never a missing task as 0.

A system is ranked overall only against the systems that cover exactly the same tasks (its
*task set*): the mean of the primary scores of those tasks, with each task's own rank beside
it. A reference row (a system that reads the gold) is shown with its mean, never ranked.
"""

from __future__ import annotations

from typing import Any

OVERALL_POLICY = (
    "Overall ranks a system only against the systems that cover exactly the same tasks: one ranking per "
    "task set, by the mean of the primary scores of those tasks ({primaries}). A task a system does not "
    "cover, or failed, is left out of its mean and puts it in another task set; it never counts as 0. "
    "Each task's own rank is given beside the mean; the reference (a system that reads the gold) is "
    "shown, not ranked."
)


def _mean(values: list[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def overall_table(tables: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The overall table from the task tables (see :data:`OVERALL_POLICY`).

    Returns:
        ``{"policy", "tasks", "task_sets": [{"id", "tasks", "models"}], "rows"}``; rows are the
        reference rows first, then each task set's rows by rank (task sets with more tasks first).
    """
    by_model: dict[str, dict[str, Any]] = {}
    for key, table in tables.items():
        for row in table["rows"]:
            entry = by_model.setdefault(row["model"], {"row": row, "per_task": {}, "per_task_rank": {}})
            entry["per_task"][key] = row["scores"].get(table["primary"], {}).get("estimate")
            entry["per_task_rank"][key] = row.get("rank")
    rows = []
    for model, entry in sorted(by_model.items()):
        covered = [key for key in tables if key in entry["per_task"]]
        first = entry["row"]
        rows.append({
            "model": model,
            "run_id": first["run_id"],
            "display_name": first["display_name"],
            "reads": first["reads"],
            "uses_gold": first["uses_gold"],
            "reference": bool(first.get("reference")),
            "kind": first.get("kind", "other"),
            "run_path": first.get("run_path"),
            "task_set": "+".join(covered),
            "tasks": covered,
            "overall": _mean([entry["per_task"][key] for key in covered]),
            "tasks_covered": len(covered),
            "per_task": {key: entry["per_task"].get(key) for key in tables},
            "per_task_rank": {key: entry["per_task_rank"].get(key) for key in tables},
        })  # fmt: skip
    sets: dict[str, list[str]] = {}
    for row in rows:
        if not row["reference"]:
            sets.setdefault(row["task_set"], row["tasks"])
    set_order = sorted(sets, key=lambda s: (-len(sets[s]), s))

    def order(row: dict[str, Any]) -> tuple[Any, ...]:
        value = row["overall"]
        place = -1 if row["reference"] else set_order.index(row["task_set"])
        return (place, value is None, -(value or 0.0), row["model"], row["run_id"])

    rows.sort(key=order)
    rank_in: dict[str, int] = {}
    for row in rows:
        if row["reference"]:
            row["rank"] = None
            continue
        rank_in[row["task_set"]] = rank_in.get(row["task_set"], 0) + 1
        row["rank"] = rank_in[row["task_set"]]
    primaries = ", ".join(f"{key}: {table['primary']}" for key, table in tables.items())
    task_sets = [
        {"id": s, "tasks": sets[s],
         "models": [r["model"] for r in rows if r["task_set"] == s and not r["reference"]]}
        for s in set_order
    ]  # fmt: skip
    policy = OVERALL_POLICY.format(primaries=primaries)
    return {"policy": policy, "tasks": list(tables), "task_sets": task_sets, "rows": rows}
