"""The ``jieba`` adapter: jieba's part-of-speech tagger read as a named-entity and number tagger.

Mapping (jieba's ICTCLAS-style tags): ``nr``/``nrfg``/``nrt`` -> PER, ``ns`` -> GPE
(jieba has no separate tag for natural locations, so GPE and LOC are declared merged),
``nt`` -> ORG, ``t`` -> DATE only for absolute dates (``2020年``, ``1月8日``; never
``今年`` or ``过去``). Adjacent DATE tokens are merged (``1月`` + ``8日``); names are not.
Numbers: ``m`` runs plus the measure word after them (``q``, or a known measure word
that jieba tags otherwise) become numeric facts through the project's normalizer;
see :mod:`benchmark.adapters._tagging`. Words get exact offsets by walking jieba's
output over each line.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from benchmark.adapters._tagging import TaggerAdapter, TagSet
from benchmark.adapters.base import register_adapter

JIEBA_TAGS = frozenset(
    [
        "a",
        "ad",
        "ag",
        "an",
        "b",
        "bg",
        "c",
        "d",
        "df",
        "dg",
        "e",
        "eng",
        "f",
        "g",
        "h",
        "i",
        "j",
        "k",
        "l",
        "m",
        "mg",
        "mq",
        "n",
        "ng",
        "nr",
        "nrfg",
        "nrt",
        "ns",
        "nt",
        "nz",
        "o",
        "p",
        "q",
        "qe",
        "qg",
        "r",
        "rg",
        "rr",
        "rz",
        "s",
        "t",
        "tg",
        "u",
        "ud",
        "ug",
        "uj",
        "ul",
        "uv",
        "uz",
        "v",
        "vd",
        "vg",
        "vi",
        "vn",
        "vq",
        "x",
        "y",
        "yg",
        "z",
        "zg",
    ]
)

JIEBA_TAGSET = TagSet(
    name="jieba",
    entity={"nr": "PER", "nrfg": "PER", "nrt": "PER", "ns": "GPE", "nt": "ORG", "t": "DATE"},
    known=JIEBA_TAGS,
    number=frozenset({"m", "mq"}),
    measure=frozenset({"q", "mq", "qe", "qg"}),
    punct=frozenset({"x"}),
    noun=frozenset({"n", "ng", "nz", "nt", "ns", "vn", "an", "j", "l"}),
    date=frozenset({"t"}),
)


@dataclass(frozen=True)
class JiebaOptions:
    """Options of the jieba adapter.

    Attributes:
        hmm: Use jieba's HMM for words missing from its dictionary (jieba's default).
    """

    hmm: bool = True


@register_adapter
class JiebaAdapter(TaggerAdapter):
    """jieba.posseg as entity and number tagger."""

    name = "jieba"
    kind = "tagger"
    version = "2"  # 2: adverbs before a linking verb are trimmed by a general rule (_tagging.ADVERBS)
    labels = ("PER", "ORG", "GPE", "DATE")
    merged_labels = (("GPE", "LOC"),)
    requires = ("jieba",)
    install_hint = "pip install jieba (a core dependency)"
    Options = JiebaOptions
    tagset = JIEBA_TAGSET
    description = "jieba 0.42 part-of-speech tags (nr/ns/nt/t, m+q) mapped to entities and numeric facts"

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._tagger: Any = None

    def load(self) -> None:
        """Use jieba's default POS tokenizer and load its dictionary (from jieba's local cache).

        ``import jieba.posseg`` already reads the dictionary's word tags for its default
        tokenizer; building a private ``POSTokenizer`` would read the 5 MB file a second time.
        """
        import jieba
        import jieba.posseg

        jieba.setLogLevel(logging.WARNING)
        jieba.posseg.dt.tokenizer.initialize()
        self._tagger = jieba.posseg.dt

    def cut(self, line: str) -> list[tuple[str, str]]:
        """jieba's ``(word, flag)`` pairs for one line."""
        if self._tagger is None:
            self.load()
        return [(pair.word, pair.flag) for pair in self._tagger.cut(line, HMM=self.options.hmm)]
