"""Topic classifiers with scikit-learn: ``majority``, ``tfidf-logreg`` and ``tfidf-cosine``.

* ``majority``: the most frequent section and the most frequent topic set among the
  *other* units of the gold corpus (leave-one-out: it never sees the unit it predicts).
* ``tfidf-logreg``: TF-IDF over jieba tokens, a logistic regression for the section
  and one-vs-rest logistic regressions for the topics, trained by leave-one-paragraph-
  out cross-validation over the gold corpus: each unit is predicted by a model fitted
  on every other gold unit, so it never sees the gold of the paragraph it predicts.
  Both train on :func:`document_pool` minus the predicted unit; on a robustness variant
  the pool is the variant's own units, labelled through the map to the original units that
  the variant carries (:mod:`benchmark.origins`), never by rebuilding the variant.
* ``tfidf-cosine``: no gold and no cue from the article; cosine similarity between each
  unit and each topic's taxonomy text (``definition_zh`` plus the general keywords),
  sections by the general structural heuristic of ``rules``
  (:func:`benchmark.adapters.rules.assign_sections`).

All are deterministic: fixed seeds, sorted candidates, ties broken in taxonomy order.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from benchmark.adapters.base import Adapter, InputDocument, Prediction, register_adapter
from benchmark.adapters.rules import DEFAULT_TOPIC, assign_sections, rank_topics, topics_for_section
from benchmark.schema import Paragraph
from benchmark.tasks.topics import SECTIONS, TAXONOMY, TOPICS

SEED = 0
# A training example: (document id, unit span, unit text, section, topics).
Example = tuple[str, tuple[int, int], str, str, tuple[str, ...]]


def gold_examples(root: str = "") -> list[Example]:
    """Every gold paragraph unit of the corpus with its text, section and topics."""
    from benchmark.validate import DEFAULT_ROOT, load_corpus

    examples = []
    for doc in load_corpus(root or DEFAULT_ROOT):
        for para in doc.gold.get("topics", []):
            span = (para.start, para.end)
            examples.append((doc.id, span, doc.text[para.start : para.end], para.section, para.topics))
    return examples


def held_out(examples: Sequence[Example], doc_id: str, span: tuple[int, int]) -> list[Example]:
    """The examples other than the unit ``span`` of ``doc_id`` (leave one paragraph out)."""
    return [ex for ex in examples if (ex[0], ex[1]) != (doc_id, span)]


def document_pool(examples: Sequence[Example], doc: InputDocument) -> list[Example]:
    """The training pool for the units of ``doc``, before its predicted unit is held out.

    One rule for every document: the gold units of ``doc`` itself plus those of every other
    corpus document. For a robustness variant, its own units are labelled with the gold of
    the original unit each stands for, read from the map the variant carries
    (``doc.origin``), and the original document's units are left out: a deleted unit is not
    in the pool, and the held-out unit is the variant's own. Sorted by text and labels, so
    the pool does not depend on the order of the units (a shuffled variant trains the same).

    Raises:
        ValueError: If ``doc`` is a variant whose units cannot all be mapped to gold units of
            its original (a unit outside the map, an original without gold), or an id with the
            variant separator but no map.
    """
    from benchmark.variants import SEPARATOR

    origin = doc.origin
    if origin is None:
        if SEPARATOR in doc.id and all(ex[0] != doc.id for ex in examples):
            raise ValueError(
                f"{doc.id}: looks like a robustness variant but carries no map to its original "
                "(meta source_lines); cannot tell which unit to hold out"
            )
        return sorted(examples, key=_pool_order)
    gold = {(ex[0], ex[1]): ex for ex in examples if ex[0] == origin.document}
    if not gold:
        raise ValueError(f"{doc.id}: its original {origin.document!r} has no topics gold in the corpus")
    own = []
    for span in doc.units:
        source = origin.source(doc.id, span)
        if (origin.document, source) not in gold:
            raise ValueError(
                f"{doc.id}: unit [{span[0]}, {span[1]}) maps to [{source[0]}, {source[1]}) of "
                f"{origin.document!r}, which is not a gold paragraph unit"
            )
        _, _, _, section, topics = gold[(origin.document, source)]
        own.append((doc.id, tuple(span), doc.text[span[0] : span[1]], section, topics))
    others = [ex for ex in examples if ex[0] not in (origin.document, doc.id)]
    return sorted(others + own, key=_pool_order)


def _pool_order(ex: Example) -> tuple:
    return (ex[2], ex[3], ex[4], ex[0], ex[1])


class _GoldTopicsAdapter(Adapter):
    """Base of the classifiers trained on the gold corpus by leave-one-paragraph-out."""

    tasks = ("topics",)
    reads = "other-units-gold"

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._examples: list[Example] | None = None

    def load(self) -> None:
        """Read the gold units of the corpus (the training pool)."""
        self._examples = gold_examples(self.options.root)

    def predict(self, task: str, documents: Sequence[InputDocument]) -> list[Prediction]:
        """One paragraph record per unit of each document, each from a model that never saw it."""
        if task != "topics":
            raise ValueError(f"{self.name} only supports the topics task, not {task!r}")
        if self._examples is None:
            self.load()
        out = []
        for doc in documents:
            pool = document_pool(self._examples or [], doc)
            records = [self._predict_unit(doc, pool, span) for span in doc.units]
            out.append(Prediction(doc.id, records=records))
        return out

    def _predict_unit(self, doc: InputDocument, pool: Sequence[Example], span: tuple[int, int]) -> Paragraph:
        train = held_out(pool, doc.id, tuple(span))
        section, topics = self.classify(train, doc.text[span[0] : span[1]])
        return Paragraph(span[0], span[1], section, topics)

    def classify(self, train: Sequence[Example], text: str) -> tuple[str, tuple[str, ...]]:
        """Section and ranked topics of ``text`` from the training examples ``train``."""
        raise NotImplementedError


@dataclass(frozen=True)
class MajorityOptions:
    """Options of the majority baseline.

    Attributes:
        root: Corpus folder of the gold (empty: the project's annotations/).
    """

    root: str = ""


@register_adapter
class MajorityAdapter(_GoldTopicsAdapter):
    """Majority section and majority topic set, leave-one-out."""

    name = "majority"
    kind = "classifier"
    version = "3"  # 3: on a variant, the pool is its own units (map carried in the variant)
    Options = MajorityOptions
    description = (
        "majority section and topic set of the other gold units (uses the gold, leave-one-paragraph-out)"
    )

    def classify(self, train: Sequence[Example], text: str) -> tuple[str, tuple[str, ...]]:
        """The most frequent section and topic set in ``train`` (ties: taxonomy order)."""
        if not train:
            return "lead", ("overview",)
        sections = Counter(ex[3] for ex in train)
        section = min(sections, key=lambda s: (-sections[s], SECTIONS.index(s)))
        sets = Counter(ex[4] for ex in train)
        topics = min(sets, key=lambda t: (-sets[t], [TOPICS.index(x) for x in t]))
        return section, topics


@lru_cache(maxsize=4096)
def _cached_tokens(text: str) -> tuple[str, ...]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return tuple(w for w in jieba.lcut(text) if w.strip() and any(ch.isalnum() for ch in w))


def jieba_tokens(text: str) -> list[str]:
    """jieba words of ``text`` without whitespace and punctuation-only tokens (cached per text)."""
    return list(_cached_tokens(text))


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=jieba_tokens, sublinear_tf=True)


@dataclass(frozen=True)
class LogRegOptions:
    """Options of the TF-IDF logistic regression.

    Attributes:
        c: Inverse regularisation strength of every logistic regression.
        threshold: Probability a secondary topic needs.
        root: Corpus folder of the gold (empty: the project's annotations/).
    """

    c: float = 10.0
    threshold: float = 0.35
    root: str = ""


@register_adapter
class TfidfLogRegAdapter(_GoldTopicsAdapter):
    """TF-IDF + logistic regression, leave-one-paragraph-out."""

    name = "tfidf-logreg"
    kind = "classifier"
    version = "3"  # 3: on a variant, the pool is its own units (map carried in the variant)
    Options = LogRegOptions
    description = (
        "TF-IDF over jieba tokens with logistic regressions for section and topics; uses the gold, "
        "evaluated by leave-one-paragraph-out cross-validation (never sees the unit it predicts)"
    )

    def classify(self, train: Sequence[Example], text: str) -> tuple[str, tuple[str, ...]]:
        """Fit on ``train`` (vectorizer included) and predict ``text``."""
        vectorizer = _vectorizer()
        x_train = vectorizer.fit_transform([ex[2] for ex in train])
        x = vectorizer.transform([text])
        return self._section(x_train, [ex[3] for ex in train], x), self._topics(x_train, train, x)

    def _section(self, x_train: Any, labels: list[str], x: Any) -> str:
        from sklearn.linear_model import LogisticRegression

        if len(set(labels)) == 1:
            return labels[0]
        model = LogisticRegression(C=self.options.c, max_iter=2000, random_state=SEED)
        return str(model.fit(x_train, labels).predict(x)[0])

    def _topics(self, x_train: Any, train: Sequence[Example], x: Any) -> tuple[str, ...]:
        from sklearn.linear_model import LogisticRegression

        probs: dict[str, float] = {}
        for topic in TOPICS:
            y = [int(topic in ex[4]) for ex in train]
            if len(set(y)) == 1:
                probs[topic] = float(y[0])
                continue
            model = LogisticRegression(C=self.options.c, max_iter=2000, random_state=SEED)
            probs[topic] = float(model.fit(x_train, y).predict_proba(x)[0, 1])
        order = sorted(TOPICS, key=lambda t: (-probs[t], TOPICS.index(t)))
        return (order[0], *[t for t in order[1:] if probs[t] >= self.options.threshold])


@dataclass(frozen=True)
class CosineOptions:
    """Options of the TF-IDF cosine classifier.

    Attributes:
        min_similarity: Cosine similarity a secondary topic needs.
        secondary_ratio: A secondary topic also needs this share of the best similarity.
    """

    min_similarity: float = 0.05
    secondary_ratio: float = 0.6


def topic_texts() -> list[str]:
    """Each topic's taxonomy text: the Chinese definition plus its keywords."""
    return [f"{TAXONOMY[t].definition_zh} {' '.join(TAXONOMY[t].keywords)}" for t in TOPICS]


@register_adapter
class TfidfCosineAdapter(Adapter):
    """Cosine similarity to the taxonomy definitions; no gold."""

    name = "tfidf-cosine"
    kind = "classifier"
    version = "2"  # 2: the general keywords and sections of rules v2
    tasks = ("topics",)
    Options = CosineOptions
    description = (
        "TF-IDF cosine similarity between each unit and the taxonomy definitions and general keywords "
        "(no gold, no cue from the article)"
    )

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._vectorizer: Any = None
        self._topic_matrix: Any = None

    def load(self) -> None:
        """Fit the TF-IDF vocabulary on the taxonomy texts."""
        self._vectorizer = _vectorizer()
        self._topic_matrix = self._vectorizer.fit_transform(topic_texts())

    def predict(self, task: str, documents: Sequence[InputDocument]) -> list[Prediction]:
        """One paragraph record per unit of each document."""
        from sklearn.metrics.pairwise import cosine_similarity

        if task != "topics":
            raise ValueError(f"tfidf-cosine only supports the topics task, not {task!r}")
        if self._vectorizer is None:
            self.load()
        out = []
        for doc in documents:
            texts = [doc.text[s:e] for s, e in doc.units]
            sims = cosine_similarity(self._vectorizer.transform(texts), self._topic_matrix) if texts else []
            records = []
            for (start, end), section, row in zip(doc.units, assign_sections(doc), sims, strict=True):
                scores = {t: round(float(v), 12) for t, v in zip(TOPICS, row, strict=True)}
                best = max(scores.values())
                ranked = rank_topics(
                    scores,
                    minimum=self.options.min_similarity,
                    ratio=self.options.secondary_ratio,
                    default=DEFAULT_TOPIC[section],
                )
                if best < self.options.min_similarity:
                    ranked = (DEFAULT_TOPIC[section],)
                records.append(Paragraph(start, end, section, topics_for_section(section, ranked)))
            out.append(Prediction(doc.id, records=records))
        return out
