"""The ``jiagu`` adapter: Jiagu 0.2.3's named-entity tagger (an averaged perceptron).

Jiagu (PyPI ``jiagu`` 0.2.3, MIT licence, by ownthink) ships its models inside the package
and runs offline. Its documented pipeline is used as is: ``jiagu.seg(line)`` cuts the line
into words, ``jiagu.ner(words)`` gives each word a ``B-``/``I-`` tag of type ``PER``,
``LOC`` or ``ORG``. Spans are decoded strictly (an ``I-`` that continues nothing is dropped,
see :mod:`benchmark.adapters._bio`) and word indices become half-open character offsets
by summing word lengths (jiagu's words cover the line exactly; when they do not, the words
are aligned by search and the gap is reported).

Mapping: ``PER`` -> PER, ``ORG`` -> ORG, ``LOC`` -> GPE (jiagu's LOC covers administrative
and natural places alike, so GPE and LOC are declared merged). No DATE, no numbers.
Load: about 0.5 s for the segmenter's dictionary and the NER model (``jiagu.init()`` also
loads the POS model, which this adapter does not need).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from benchmark.adapters._bio import decode_tags
from benchmark.adapters._line_ner import LineNerAdapter, LineSpan
from benchmark.adapters.base import register_adapter


def word_offsets(line: str, words: Sequence[str]) -> list[tuple[int, int]] | None:
    """Half-open offsets of each word, or None when the words do not cover ``line`` exactly.

    Example:
        >>> word_offsets("四川 公安", ["四川", " ", "公安"])
        [(0, 2), (2, 3), (3, 5)]
        >>> word_offsets("四川公安", ["四川", "警察"]) is None
        True
    """
    if "".join(words) != line:
        return None
    out, at = [], 0
    for word in words:
        out.append((at, at + len(word)))
        at += len(word)
    return out


def word_tags_to_spans(line: str, words: Sequence[str], tags: Sequence[str]) -> list[LineSpan]:
    """Character spans of the ``B-``/``I-`` word tags of one line (strict BIO over words).

    Example:
        >>> word_tags_to_spans("李逢春\\t摄", ["李", "逢", "春", "\\t", "摄"],
        ...                    ["B-PER", "I-PER", "I-PER", "I-PER", "O"])
        [(0, 4, 'PER')]
    """
    offsets = word_offsets(line, words)
    if offsets is None:  # not expected from jiagu 0.2.3; align by search instead
        offsets, at = [], 0
        for word in words:
            found = line.find(word, at)
            found = at if found < 0 else found
            offsets.append((found, found + len(word)))
            at = found + len(word)
    return [(offsets[a][0], offsets[b - 1][1], kind) for a, b, kind in decode_tags(list(tags), "BIO")]


@register_adapter
class JiaguAdapter(LineNerAdapter):
    """Jiagu's perceptron NER (PER/LOC/ORG) over its own word segmentation."""

    name = "jiagu"
    kind = "tagger"
    version = "1"
    labels = ("PER", "ORG", "GPE")
    merged_labels = (("GPE", "LOC"),)
    native_labels: ClassVar[Mapping[str, str]] = {"PER": "PER", "ORG": "ORG", "LOC": "GPE"}
    requires = ("jiagu",)
    install_hint = "pip install jiagu==0.2.3 (the `taggers` extra; bash scripts/setup.sh installs it)"
    description = "Jiagu 0.2.3 perceptron NER (PER/LOC/ORG) over jiagu's segmentation"

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._jiagu: Any = None

    def load(self) -> None:
        """Load jiagu's segmenter and NER model (bundled in the package; no network)."""
        import jiagu

        jiagu.any.init_cws()
        jiagu.any.init_ner()
        self._jiagu = jiagu

    def tag_lines(self, lines: Sequence[str]) -> list[list[LineSpan]]:
        """Segment each line with jiagu, tag the words, decode the spans."""
        if self._jiagu is None:
            self.load()
        seg, ner = self._jiagu.seg, self._jiagu.ner
        out = []
        for line in lines:
            words = seg(line) if line else []
            out.append(word_tags_to_spans(line, words, ner(words)) if words else [])
        return out
