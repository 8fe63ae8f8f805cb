"""A per-adapter memo of per-document results (tag each document once per run).

The harness calls ``predict`` once per task; a tagger that serves several tasks (entities
and numeric facts) keeps what it computed for a document and reuses it for the next task.
The key is the document id *and* a hash of its text, so a robustness variant (same id,
other text) is tagged again.

Example:
    >>> from benchmark.adapters.base import InputDocument
    >>> calls = []
    >>> def upper(docs):
    ...     calls.append([d.id for d in docs])
    ...     return [d.text.upper() for d in docs]
    >>> memo = DocumentMemo()
    >>> a, b = InputDocument("a", "x", (), ()), InputDocument("b", "y", (), ())
    >>> memo.get_many([a, b, a], upper), memo.get_many([b], upper), calls
    (['X', 'Y', 'X'], ['Y'], [['a', 'b']])
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from benchmark.adapters.base import InputDocument

T = TypeVar("T")


def document_key(doc: InputDocument) -> tuple[str, str]:
    """``(id, blake2b of the text)``: the memo key of a document."""
    return doc.id, hashlib.blake2b(doc.text.encode("utf-8"), digest_size=16).hexdigest()


class DocumentMemo(Generic[T]):
    """Results per document, least recently used dropped past ``size`` documents."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], T] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get_many(
        self, documents: Sequence[InputDocument], compute: Callable[[list[InputDocument]], list[T]]
    ) -> list[T]:
        """The result of each document; the ones not memoised go to ``compute`` in one call.

        Args:
            documents: The documents, in order (repeats allowed).
            compute: Maps a list of distinct documents to their results, in order.
        """
        keys = [document_key(doc) for doc in documents]
        missing: dict[tuple[str, str], InputDocument] = {}
        for key, doc in zip(keys, documents, strict=True):
            if key not in self._items and key not in missing:
                missing[key] = doc
        if missing:
            results = compute(list(missing.values()))
            if len(results) != len(missing):
                raise ValueError(f"expected {len(missing)} results, got {len(results)}")
            fresh = dict(zip(missing, results, strict=True))
        else:
            fresh = {}
        out = []
        for key in keys:
            value = fresh[key] if key in fresh else self._items[key]
            self._items[key] = value
            self._items.move_to_end(key)
            out.append(value)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return out
