"""Which run of each system a leaderboard table uses, on which documents, and what is flagged.

Documents evolve (one is added, a gold file is corrected) and tasks get new versions, while
run records stay as they were made. Per task, each system's candidate is its run on the
original documents (variant runs go to the robustness table) that covers the most of today's
documents, the latest among equals. A candidate covers a
document when it has predictions for it made on today's text. The table ranks the runs that
cover the documents it ranks on (all documents with this task's gold when some run covers
them all; else the largest set the most runs share); the others are flagged ``incomplete``
with the exact command that re-runs them, and a run scored under an older task version is
flagged ``stale`` (``leaderboard.py --rescore`` rescores it), and so is a run of a system that
reads the gold made before the gold changed (only a re-run helps).
"""

from __future__ import annotations

import functools
import shlex
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any

from benchmark.board_runs import gold_hash_of
from benchmark.document import Document, sha256_text
from benchmark.names import default_name
from benchmark.records import RunRecord
from benchmark.tasks import get_task

REPO = Path(__file__).resolve().parent.parent
EVALUATE = ".venv/bin/python scripts/evaluate.py"


@dataclass
class Candidate:
    """A system's run for one task, with the current documents it covers."""

    run: RunRecord
    covered: set[str] = field(default_factory=set)
    stale: str | None = None


def task_entry(run: RunRecord, key: str) -> dict[str, Any]:
    """The run's ``meta.json`` entry of task ``key`` (empty when it has none)."""
    entry = run.meta.get("tasks", {}).get(key)
    return entry if isinstance(entry, dict) else {}


def covered_documents(run: RunRecord, key: str, docs: Sequence[Document]) -> set[str]:
    """Ids of ``docs`` (with this task's gold) whose predictions the run has, made on today's text."""
    entry = task_entry(run, key)
    fingerprint = entry.get("documents") or run.meta.get("documents") or []
    seen = {doc_id: digest for doc_id, digest in fingerprint}
    gold_file = get_task(key).gold_file
    return {
        d.id
        for d in docs
        if key in d.gold
        and seen.get(d.id) == sha256_text(d.text)
        and (run.path / "predictions" / d.id / gold_file).is_file()
    }


def stale_reason(run: RunRecord, key: str, docs: Sequence[Document]) -> str | None:
    """Why the run's result of ``key`` is out of date (None: it is not).

    Its scores are stale when the task has a new version (``leaderboard.py --rescore`` fixes
    that); its predictions are, for a system that reads the gold, when the gold of the
    documents it covers changed after it predicted (only a re-run fixes that).
    """
    entry = task_entry(run, key)
    recorded, current = entry.get("task"), get_task(key).name
    if recorded and recorded != current:
        return f"scored as {recorded}, the task is now {current}: rescore or re-run"
    predicted_on = entry.get("predicted_gold_hash")
    if predicted_on:
        covered = [d for d in docs if d.id in {doc_id for doc_id, _ in entry.get("documents") or []}]
        if predicted_on != gold_hash_of(covered, [key]):
            return "it reads the gold, which changed after it predicted: re-run"
    return None


def candidates(runs: Sequence[RunRecord], key: str, docs: Sequence[Document]) -> list[Candidate]:
    """One run per system for task ``key``: among its original-document runs that have the task,
    the one covering the most of today's documents, then the latest."""
    best: dict[str, tuple[tuple[int, str, str], Candidate]] = {}
    for run in runs:
        if run.meta.get("variant") or not task_entry(run, key):
            continue
        cand = Candidate(run, covered_documents(run, key, docs), stale_reason(run, key, docs))
        rank = (len(cand.covered), run.meta.get("finished_at") or "", run.run_id)
        if run.model not in best or rank > best[run.model][0]:
            best[run.model] = (rank, cand)
    return [cand for _, (_, cand) in sorted(best.items())]


def ranking_documents(ok: Sequence[Candidate], key: str, docs: Sequence[Document]) -> set[str]:
    """The documents a task's table ranks on (see the module docstring)."""
    full = {d.id for d in docs if key in d.gold}
    if any(c.covered >= full for c in ok):
        return full
    shared = set.intersection(*(c.covered for c in ok)) if ok else set()
    options = [s for s in [shared, *(c.covered for c in ok)] if s]
    if not options:
        return set()
    return max(options, key=lambda s: (sum(c.covered >= s for c in ok), len(s), sorted(s)))


def _options(adapter: dict[str, Any]) -> dict[str, Any]:
    """The recorded options that differ from the adapter's defaults (secrets left out)."""
    config = dict(adapter.get("config") or {})
    try:
        from benchmark.adapters import get_adapter

        defaults = get_adapter(adapter.get("name", "")).Options()
        defaults = asdict(defaults) if is_dataclass(defaults) else {}
    except Exception:  # an adapter no longer registered: give every recorded option
        defaults = {}
    return {k: v for k, v in config.items()
            if v not in (None, "***") and (k not in defaults or defaults[k] != v)}  # fmt: skip


def _configured_as(name: str) -> bool:
    """Whether configs/default.yaml names a model ``name`` (``as:``)."""
    path = REPO / "configs" / "default.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    return name in _configured_names(text)


@functools.lru_cache(maxsize=4)
def _configured_names(text: str) -> frozenset[str]:
    """The ``as:`` names of a configuration file's text (parsed once per content)."""
    try:
        import yaml

        data = yaml.safe_load(text) or {}
    except (ValueError, ImportError):
        return frozenset()
    items = data.get("models", []) if isinstance(data, dict) else []
    return frozenset(str(i["as"]) for i in items if isinstance(i, dict) and i.get("as"))


def rerun_command(run: RunRecord) -> str:
    """The command that re-runs this system on today's documents."""
    adapter = run.meta.get("adapter", {})
    name = adapter.get("name", run.model)
    if adapter.get("version") == "file":
        return f"{EVALUATE} --predictions FOLDER --name {shlex.quote(run.model)}  (FOLDER: one per document)"
    if _configured_as(run.model):
        return f"{EVALUATE} --model-config configs/default.yaml"
    options = _options(adapter)
    spec = name + (":" + ",".join(f"{k}={v}" for k, v in options.items()) if options else "")
    command = f"{EVALUATE} --model {shlex.quote(spec)}"
    if run.model != default_name(name, adapter.get("config") or {}):
        command = f"{EVALUATE} --model-config FILE.yaml  (with name: {name}, as: {run.model})"
    return command
