"""The ``oracle`` adapter: returns the gold records, to prove the pipeline scores 1.0.

It reads the gold corpus (``benchmark.validate.load_corpus``) and answers every
document by id; it declares ``reads = "gold"`` and is shown as a reference, never ranked as a system.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from benchmark.adapters.base import Adapter, InputDocument, Prediction, register_adapter
from benchmark.tasks import TASKS
from benchmark.tasks.ner import LABELS


class _RegisteredTasks:
    """Class attribute that lists every registered task when read (tasks registered later too)."""

    def __get__(self, obj: object, owner: type) -> tuple[str, ...]:
        return tuple(TASKS.names())


@dataclass(frozen=True)
class OracleOptions:
    """Options of the oracle.

    Attributes:
        root: The corpus folder to read the gold from (empty: the project's annotations/).
    """

    root: str = ""


@register_adapter
class OracleAdapter(Adapter):
    """Answers with the gold annotations of each document (a pipeline check, not a system)."""

    name = "oracle"
    kind = "reference"
    version = "2"  # 2: answers robustness variants with their own gold
    tasks = _RegisteredTasks()  # every registered task, one registered after import included
    labels = LABELS
    Options = OracleOptions
    reads = "gold"
    description = "returns the gold records (uses the gold; a pipeline check that must score 1.0)"

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._gold: dict[str, dict[str, list[Any]]] = {}

    def load(self) -> None:
        """Read the gold of every document in the corpus."""
        from benchmark.validate import DEFAULT_ROOT, load_corpus

        docs = load_corpus(self.options.root or DEFAULT_ROOT)
        self._gold = {doc.id: doc.gold for doc in docs}

    def _variant_gold(self, doc: InputDocument) -> dict[str, list[Any]] | None:
        """The gold of a robustness variant (``base~name[~name...]``), rebuilt from its original."""
        from benchmark.robustness import rebuild_variant
        from benchmark.validate import DEFAULT_ROOT, load_corpus

        variant = rebuild_variant(doc.id, load_corpus(self.options.root or DEFAULT_ROOT))
        return variant.gold if variant is not None and variant.text == doc.text else None

    def predict(self, task: str, documents: Sequence[InputDocument]) -> list[Prediction]:
        """The gold records of ``task`` for each document (a problem for an unknown document)."""
        if not self._gold:
            self.load()
        out = []
        for doc in documents:
            gold = self._gold.get(doc.id) or self._variant_gold(doc)
            if gold is None:
                out.append(Prediction(doc.id, problems=[f"oracle: no gold for document {doc.id!r}"]))
            else:
                out.append(Prediction(doc.id, records=list(gold.get(task, []))))
        return out
