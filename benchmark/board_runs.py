"""What the board says about a run beyond its scores: what it has seen, its kind, its folder, LLM failures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from benchmark.document import Document, sha256_text
from benchmark.provenance import stable_hash
from benchmark.records import RunRecord
from benchmark.schema import dumps_jsonl

#: The ``reads`` value of a reference row (the ceiling, shown but not ranked).
REFERENCE = "gold"


def _adapter_class(run: RunRecord) -> Any:
    """The registered adapter class of the run (None: no longer registered, or a predictions file)."""
    try:
        from benchmark.adapters import get_adapter

        return get_adapter(run.meta.get("adapter", {}).get("name", ""))
    except Exception:  # an unknown name raises with "did you mean"
        return None


def reads_of(run: RunRecord) -> str:
    """What the run's system has seen (``Adapter.reads``).

    A record written before ``reads`` existed said only ``uses_gold``: its adapter's current
    declaration is used when the adapter is still registered (so leave-one-out systems are not
    taken for the oracle), else ``gold`` for ``uses_gold`` and ``nothing`` otherwise.
    """
    adapter = run.meta.get("adapter", {})
    if adapter.get("reads"):
        return str(adapter["reads"])
    cls = _adapter_class(run)
    if cls is not None:
        return str(cls.reads)
    return "gold" if adapter.get("uses_gold") else "nothing"


def kind_of(run: RunRecord) -> str:
    """What kind of system the run's is (``Adapter.kind``: rules, tagger, llm...; ``other`` if unknown)."""
    recorded = run.meta.get("adapter", {}).get("kind")
    if recorded:
        return str(recorded)
    cls = _adapter_class(run)
    if cls is not None and getattr(cls, "kind", None):
        return str(cls.kind)
    return "reference" if reads_of(run) == REFERENCE else "other"


def run_path(run: RunRecord) -> str:
    """The run folder relative to the board's folder: ``runs/MODEL/RUN_ID/``."""
    return f"runs/{run.path.parent.name}/{run.path.name}/"


def llm_failures(run: RunRecord, key: str) -> dict[str, Any] | None:
    """The run's LLM failure rates of ``key`` summed over its documents (None: not an LLM run)."""
    from benchmark.adapters.llm_adapter import combine_summaries

    info = (run.errors.get(key) or {}).get("info") if isinstance(run.errors.get(key), dict) else None
    return combine_summaries(info) if isinstance(info, dict) else None


_GOLD_PARTS: dict[tuple[int, str], tuple[Document, str]] = {}


def _gold_part(doc: Document, key: str) -> str:
    """sha256 of one document's gold of one task, as :func:`benchmark.provenance.gold_hash` takes it."""
    found = _GOLD_PARTS.get((id(doc), key))
    if found is not None and found[0] is doc:
        return found[1]
    value = sha256_text(dumps_jsonl(doc.gold.get(key, [])))
    _GOLD_PARTS[(id(doc), key)] = (doc, value)
    return value


def gold_hash_of(docs: Sequence[Document], task_keys: Iterable[str] | None = None) -> str:
    """:func:`benchmark.provenance.gold_hash` with each document's part memoised.

    A board build asks for the same hashes many times (per run, per pair, per subset of the
    documents); documents are not changed while a board is built, and
    :func:`forget_gold_hashes` empties the memo (a test checks both give the same hash).
    """
    keys = list(task_keys) if task_keys is not None else None
    parts = []
    for doc in sorted(docs, key=lambda d: d.id):
        for key in sorted(keys if keys is not None else doc.gold):
            parts.append([doc.id, key, _gold_part(doc, key)])
    return stable_hash(parts)


def forget_gold_hashes() -> None:
    """Empty the memo of :func:`gold_hash_of` (at the start of each build)."""
    _GOLD_PARTS.clear()


def latest(runs: Sequence[RunRecord]) -> RunRecord | None:
    """The run that finished last (by its record's ``finished_at``, then run id)."""
    return max(runs, key=lambda r: (r.meta.get("finished_at") or "", r.run_id), default=None)


def predictions_by_doc(run: RunRecord, key: str, docs: Sequence[Document]) -> dict[str, list[Any]]:
    """The run's stored predictions of task ``key`` on each document that has its gold."""
    return {doc.id: run.predictions(key, doc.id) for doc in docs if key in doc.gold}
