"""The ``bm25-qa`` adapter: a retrieval-plus-extraction floor for reading comprehension.

Each question is matched against the article's sentences (split at 。;!? and line ends)
with Okapi BM25 over jieba tokens (k1 = 1.5, b = 0.75; stop characters removed). From the
best sentence it extracts:

- for a quantity question (多少 / 几): the quantity whose measure word the question names
  (多少元 -> 元), else the first quantity of the sentence, read with the project's normalizer;
- for a yes/no question (是否): 否 if the sentence negates (未, 没有, 不), else 是;
- otherwise the clause (split at , 、) that shares the most characters with the question,
  minus those characters at its edges.

When the best BM25 score is below ``threshold`` it answers 无法回答. It uses no gold.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from benchmark.adapters.base import Adapter, InputDocument, Prediction, register_adapter

SENTENCE_END = re.compile(r"[^。;;!!??\n]+[。;;!!??]?")
CLAUSE = re.compile(r"[^,,、。;;!!??]+")
STOP = set("的了和与及在是为有被对把将等一个这那哪些什么多少几吗呢?,。、“”")
QUESTION_WORDS = ("多少", "几", "哪", "什么", "谁", "是否", "如何", "怎样")


@dataclass(frozen=True)
class BM25Options:
    """Options of the BM25 baseline.

    Attributes:
        k1: BM25 term-frequency saturation.
        b: BM25 length normalization.
        threshold: Below this best score the question is declared unanswerable.
    """

    k1: float = 1.5
    b: float = 0.75
    threshold: float = 4.0


def sentences(text: str) -> list[str]:
    """The sentences of a text, in order (punctuation kept).

    Example:
        >>> sentences("甲乙。丙丁;戊")
        ['甲乙。', '丙丁;', '戊']
    """
    return [m.group().strip() for m in SENTENCE_END.finditer(text) if m.group().strip()]


class BM25:
    """Okapi BM25 over pre-tokenized documents.

    Example:
        >>> bm = BM25([["破案", "率"], ["资产", "冻结"]])
        >>> [round(s, 3) for s in bm.scores(["冻结"])]
        [0.0, 0.693]
    """

    def __init__(self, docs: Sequence[Sequence[str]], *, k1: float = 1.5, b: float = 0.75) -> None:
        self.docs = [Counter(d) for d in docs]
        self.lengths = [len(d) for d in docs]
        self.avg = sum(self.lengths) / max(len(docs), 1)
        df = Counter(t for d in self.docs for t in d)
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.k1, self.b = k1, b

    def scores(self, query: Sequence[str]) -> list[float]:
        out = []
        for doc, length in zip(self.docs, self.lengths, strict=True):
            s = 0.0
            for t in query:
                tf = doc.get(t, 0)
                if tf:
                    norm = tf + self.k1 * (1 - self.b + self.b * length / (self.avg or 1))
                    s += self.idf[t] * tf * (self.k1 + 1) / norm
            out.append(s)
        return out


def quantity_surfaces(sentence: str) -> list[tuple[str, str]]:
    """``(surface, unit)`` of the quantities in a sentence: the longest reading at each place.

    A measure word is one CJK character, 人次 or %, so ``45起、恶势力…`` reads as ``45起``.

    Example:
        >>> quantity_surfaces("破案率创98.78%的新高,抓获14855名")
        [('98.78%', '%'), ('14855名', '名')]
    """
    from benchmark.normalize import NormalizationError, parse_quantity

    found, i = [], 0
    while i < len(sentence):
        best = None
        if sentence[i].isdigit() or sentence[i] in "两兩三四五六七八九十":
            for j in range(i + 1, min(len(sentence), i + 14) + 1):
                try:
                    q = parse_quantity(sentence[i:j])
                except NormalizationError:
                    continue
                if q.unit in ("%", "人次") or re.fullmatch(r"[\u4e00-\u9fff]", q.unit):
                    best = (sentence[i:j], q.unit)
        if best:
            found.append(best)
            i += len(best[0])
        else:
            i += 1
    return found


def extract(question: str, sentence: str) -> str:
    """The answer string taken from the best sentence (see the module docstring)."""
    if "是否" in question:
        return "否" if re.search(r"未|没有|不", sentence) else "是"
    if "多少" in question or "几" in question:
        wanted = re.search(r"(?:多少|几)(人次|[\u4e00-\u9fff]?)", question)
        unit = wanted.group(1) if wanted else ""
        readings = quantity_surfaces(sentence)
        for surface, u in readings:
            if unit and u == unit:
                return surface
        if readings:
            return readings[0][0]
    asked = set(question) - STOP
    clauses = [c.strip() for c in CLAUSE.findall(sentence) if c.strip()]
    if not clauses:
        return sentence
    best = max(clauses, key=lambda c: (len(set(c) & asked), -len(c)))
    start, end = 0, len(best)
    while start < end and best[start] in asked:
        start += 1
    while end > start and best[end - 1] in asked:
        end -= 1
    return best[start:end] or best


@register_adapter
class BM25QAAdapter(Adapter):
    """BM25 sentence retrieval over jieba tokens, then extraction with the normalizer."""

    name = "bm25-qa"
    kind = "retrieval"
    version = "1"
    tasks = ("qa",)
    requires = ("jieba",)
    install_hint = "pip install jieba (a core dependency)"
    Options = BM25Options
    description = "BM25 over jieba tokens picks a sentence; the normalizer or its best clause answers"

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._cut: Any = None

    def load(self) -> None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        self._cut = jieba.lcut_for_search

    def _tokens(self, text: str) -> list[str]:
        return [t for t in self._cut(text) if t.strip() and t not in STOP]

    def predict(self, task: str, documents: Sequence[InputDocument]) -> list[Prediction]:
        from benchmark.tasks.qa import UNANSWERABLE, QAPrediction

        if self._cut is None:
            self.load()
        out = []
        for doc in documents:
            sents = sentences(doc.text)
            index = BM25([self._tokens(s) for s in sents], k1=self.options.k1, b=self.options.b)
            records = []
            for q in doc.task_inputs.get("qa", []):
                scores = index.scores(self._tokens(q["question"]))
                best = max(range(len(sents)), key=lambda i: (scores[i], -i)) if sents else None
                if best is None or scores[best] < self.options.threshold:
                    answer = UNANSWERABLE
                else:
                    answer = extract(q["question"], sents[best])
                records.append(QAPrediction(q["id"], (answer,)))
            out.append(Prediction(doc.id, records))
        return out
