"""Inter-annotator agreement between two annotation folders of the same document.

Two independent passes over one text (same ``text_sha256``; :class:`AgreementError`
otherwise) are compared task by task, on the tasks both folders annotate:

* ``ner``: span F1 per label and micro, strict and partial
  (:func:`benchmark.metrics.score_entities` with A as the reference; F1 is symmetric);
* ``numeric``: span F1 (exact boundaries), then on the facts both found (same span) Cohen's
  kappa of value (as a category), unit and qualifier, and the share with the same metric;
* ``topics``: on the units both list, section accuracy and kappa, primary-topic accuracy
  and kappa, multi-label topic micro F1;
* ``qa``: on the questions both answer (same id), answer-type kappa, the share of canonical
  answers each accepts from the other (the task's own judging rules), evidence agreement.

**Kappa rule.** ``kappa`` is ``None`` (n/a) when there is no shared item, or when the
raters used a single category between them (chance agreement is then 1 and kappa is 0/0);
``agreement`` (observed) is still given.

**Disagreements** are listed item by item and grouped by the guideline rule they most
likely fall under (annotations/GUIDELINES.md). Entity disagreements are clusters of
overlapping spans that are not in both passes, classified by :func:`entity_rule`:

======================================================  =========
cluster                                                  rule
======================================================  =========
same span, different label, DATE on a side               A9
same span, different label                               A-labels
one span inside the other, texts differ only by quotes   A8
one span inside the other, DATE involved                 A9
one span inside the other, TITLE involved                A2
one span inside the other                                A1
one span vs several, TITLE among them                    A2
one span vs several, all GPE or all ORG                  A7
one span vs several, EVENT with ORG or DATE              A3
one span vs several                                      A1
a span only one pass has, a generic term (GENERIC_TERMS) A6
a span only one pass has, DATE                           A9
anything else (crossing spans, other misses)             other
======================================================  =========

Numeric facts: a span in one pass only (or with other boundaries) is B1; on a shared span
a different value is B2, unit B3, qualifier B4, metric B5 (one disagreement per attribute).
Paragraphs: ``C-units`` (a unit in one pass only), ``C-sections``, ``C-topics``. Questions:
``D2`` (answer type), ``D3`` (answers not accepted both ways), ``D4`` (evidence).

Example:
    >>> a = [{"start": 0, "end": 6, "text": "四川省公安厅", "label": "ORG"}]
    >>> b = [{"start": 0, "end": 3, "text": "四川省", "label": "GPE"}]
    >>> [(d.kind, d.rule) for d in entity_disagreements(a, b)]
    [('boundary', 'A1')]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmark.document import Document, sha256_text
from benchmark.schema import record_to_dict
from benchmark.tasks.ner import GENERIC_TERMS, LABELS

TASK_ORDER = ("ner", "numeric", "topics", "qa")
QUOTES = "“”\"'‘’「」『』《》"

RULES: dict[str, str] = {
    "A1": "flat and outermost spans",
    "A2": "titles split from their organisation and holder",
    "A3": "an event keeps its named organiser outside",
    "A6": "generic descriptions are not entities",
    "A7": "compound place names split at each level",
    "A8": "quotation marks around a whole name are left out",
    "A9": "bare years are DATE; headings annotated like running text",
    "A-labels": "the label definitions (section A table)",
    "B1": "span of a numeric fact (and what is a fact)",
    "B2": "value",
    "B3": "unit",
    "B4": "qualifier",
    "B5": "metric",
    "C-units": "paragraph units",
    "C-sections": "sections",
    "C-topics": "topics (first = primary)",
    "D2": "answer types",
    "D3": "answers",
    "D4": "evidence",
    "other": "no rule matched (a miss, crossing spans, several spans on both sides)",
}


class AgreementError(ValueError):
    """The two folders cannot be compared (not the same text, or unreadable)."""


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa of two raters on the same items, with the observed agreement.

    Attributes:
        kappa: Cohen's kappa, None when undefined (see the module's kappa rule).
        agreement: Share of items with the same category (None without items).
        n: Number of items both rated.
        note: Why kappa is undefined, if it is.
    """

    kappa: float | None
    agreement: float | None
    n: int
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {"kappa": self.kappa, "agreement": self.agreement, "n": self.n, "note": self.note}


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> Kappa:
    """Cohen's kappa (scikit-learn) with the n/a rule for no items or a single category.

    Example:
        >>> round(cohen_kappa(["x", "y", "x"], ["x", "y", "y"]).kappa, 3)
        0.4
        >>> cohen_kappa(["x", "x"], ["x", "x"])
        Kappa(kappa=None, agreement=1.0, n=2, note='n/a: a single category')
        >>> cohen_kappa([], []).note
        'n/a: no shared item'
    """
    if len(a) != len(b):
        raise ValueError(f"b: expected {len(a)} ratings like a, got {len(b)}")
    if not a:
        return Kappa(None, None, 0, "n/a: no shared item")
    agreement = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    if len(set(a) | set(b)) < 2:
        return Kappa(None, agreement, len(a), "n/a: a single category")
    from sklearn.metrics import cohen_kappa_score

    value = float(cohen_kappa_score(list(a), list(b)))
    return Kappa(None if math.isnan(value) else value, agreement, len(a))


@dataclass(frozen=True)
class SetAgreement:
    """Items in both passes, in A only and in B only; F1 is symmetric in A and B.

    Example:
        >>> SetAgreement(8, 1, 1).f1
        0.8888888888888888
    """

    both: float
    only_a: float
    only_b: float

    @property
    def f1(self) -> float | None:
        """``2 both / (2 both + only_a + only_b)``; None when both passes are empty."""
        denominator = 2 * self.both + self.only_a + self.only_b
        return None if denominator == 0 else 2 * self.both / denominator

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {"both": self.both, "only_a": self.only_a, "only_b": self.only_b, "f1": self.f1}


@dataclass(frozen=True)
class Disagreement:
    """One disagreement, attributed to a guideline rule.

    Attributes:
        task: ``ner``, ``numeric``, ``topics`` or ``qa``.
        rule: A key of :data:`RULES`.
        kind: What differs (``only_in_a``, ``only_in_b``, ``label``, ``boundary``, ``split``,
            ``value``, ``unit``, ``qualifier``, ``metric``, ``section``, ``topics``, ...).
        a: The records of pass A involved (JSON-able dicts).
        b: The records of pass B involved.
    """

    task: str
    rule: str
    kind: str
    a: tuple[dict[str, Any], ...] = ()
    b: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict."""
        return {"task": self.task, "rule": self.rule, "kind": self.kind, "a": list(self.a), "b": list(self.b)}


@dataclass
class AgreementReport:
    """Everything :func:`compare_folders` computes; rendering lives in ``scripts/agreement.py``.

    Attributes:
        doc_id: The document.
        a: Folder of pass A (the reference of the asymmetric counts).
        b: Folder of pass B.
        tasks: Tasks both passes annotate, in :data:`TASK_ORDER`.
        only_one_pass: Tasks one pass annotates and the other does not (task -> "a" or "b").
        scores: Per task, the agreement figures (JSON-able).
        disagreements: Every disagreement.
        problems: Validation problems found in either folder (the comparison still runs).
    """

    doc_id: str
    a: str
    b: str
    tasks: list[str] = field(default_factory=list)
    only_one_pass: dict[str, str] = field(default_factory=dict)
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    disagreements: list[Disagreement] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def by_rule(self) -> dict[str, list[Disagreement]]:
        """Disagreements grouped by rule, in the order of :data:`RULES`."""
        groups: dict[str, list[Disagreement]] = {}
        for rule in RULES:
            found = [d for d in self.disagreements if d.rule == rule]
            if found:
                groups[rule] = found
        return groups

    def rule_counts(self) -> dict[str, int]:
        """Number of disagreements per rule (rules without any left out)."""
        return {rule: len(items) for rule, items in self.by_rule().items()}

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict (the ``--json`` output)."""
        return {
            "doc_id": self.doc_id,
            "a": self.a,
            "b": self.b,
            "tasks": list(self.tasks),
            "only_one_pass": dict(self.only_one_pass),
            "scores": self.scores,
            "rule_counts": self.rule_counts(),
            "rules": {rule: RULES[rule] for rule in self.rule_counts()},
            "disagreements": [d.to_dict() for d in self.disagreements],
            "problems": list(self.problems),
        }


# --------------------------------------------------------------------------- entities


def _overlaps(x: dict[str, Any], y: dict[str, Any]) -> bool:
    return x["start"] < y["end"] and y["start"] < x["end"]


def _clusters(
    a: list[dict[str, Any]], b: list[dict[str, Any]]
) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Connected components of the overlap graph between ``a`` and ``b`` items, by position."""
    parent = list(range(len(a) + len(b)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, x in enumerate(a):
        for j, y in enumerate(b):
            if _overlaps(x, y):
                parent[find(i)] = find(len(a) + j)
    groups: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for i, x in enumerate(a):
        groups.setdefault(find(i), ([], []))[0].append(x)
    for j, y in enumerate(b):
        groups.setdefault(find(len(a) + j), ([], []))[1].append(y)
    return sorted(groups.values(), key=lambda g: min(r["start"] for r in g[0] + g[1]))


def _only_quotes_differ(x: str, y: str) -> bool:
    return x != y and x.strip(QUOTES) == y.strip(QUOTES)


def _single_rule(item: dict[str, Any]) -> str:
    if item.get("text") in GENERIC_TERMS:
        return "A6"
    return "A9" if item["label"] == "DATE" else "other"


def _pair_rule(x: dict[str, Any], y: dict[str, Any]) -> tuple[str, str]:
    labels = {x["label"], y["label"]}
    if (x["start"], x["end"]) == (y["start"], y["end"]):
        return "label", "A9" if "DATE" in labels else "A-labels"
    inside = (x["start"] <= y["start"] and y["end"] <= x["end"]) or (
        y["start"] <= x["start"] and x["end"] <= y["end"]
    )
    if not inside:
        return "boundary", "other"
    if _only_quotes_differ(x.get("text", ""), y.get("text", "")):
        return "boundary", "A8"
    if "DATE" in labels:
        return "boundary", "A9"
    return "boundary", "A2" if "TITLE" in labels else "A1"


def _split_rule(parts: list[dict[str, Any]]) -> str:
    labels = {p["label"] for p in parts}
    if "TITLE" in labels:
        return "A2"
    if labels in ({"GPE"}, {"ORG"}):
        return "A7"
    if "EVENT" in labels and labels & {"ORG", "DATE"}:
        return "A3"
    return "A1"


def entity_rule(a_items: list[dict[str, Any]], b_items: list[dict[str, Any]]) -> tuple[str, str]:
    """``(kind, rule)`` of one cluster of overlapping entity disagreements (see the module table).

    Example:
        >>> whole = {"start": 0, "end": 6, "text": "习近平总书记", "label": "PER"}
        >>> parts = [{"start": 0, "end": 3, "text": "习近平", "label": "PER"},
        ...          {"start": 3, "end": 6, "text": "总书记", "label": "TITLE"}]
        >>> entity_rule([whole], parts)
        ('split', 'A2')
    """
    if not a_items or not b_items:
        return ("only_in_a" if a_items else "only_in_b"), _single_rule((a_items or b_items)[0])
    if len(a_items) == 1 and len(b_items) == 1:
        return _pair_rule(a_items[0], b_items[0])
    if len(a_items) == 1 or len(b_items) == 1:
        whole, parts = (a_items[0], b_items) if len(a_items) == 1 else (b_items[0], a_items)
        if all(whole["start"] <= p["start"] and p["end"] <= whole["end"] for p in parts):
            return "split", _split_rule(parts)
    return "complex", "other"


def _entity_key(e: dict[str, Any]) -> tuple[int, int, str]:
    return (e["start"], e["end"], e["label"])


def entity_disagreements(a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]]) -> list[Disagreement]:
    """Entity records in one pass only, clustered by overlap and attributed to a rule.

    Records of the same pass never overlap (the validator's rule), so a cluster without a
    counterpart holds exactly one record.
    """
    keys_a, keys_b = {_entity_key(e) for e in a}, {_entity_key(e) for e in b}
    only_a = sorted((e for e in a if _entity_key(e) not in keys_b), key=_entity_key)
    only_b = sorted((e for e in b if _entity_key(e) not in keys_a), key=_entity_key)
    out = []
    for group_a, group_b in _clusters(only_a, only_b):
        if group_a and group_b:
            kind, rule = entity_rule(group_a, group_b)
            out.append(Disagreement("ner", rule, kind, tuple(group_a), tuple(group_b)))
        else:  # a record overlapping nothing of the other pass is a cluster of its own
            out += [Disagreement("ner", _single_rule(x), "only_in_a", (x,)) for x in group_a]
            out += [Disagreement("ner", _single_rule(y), "only_in_b", (), (y,)) for y in group_b]
    return out


def entity_scores(a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Strict and partial span agreement, micro and per label (A as reference)."""
    from benchmark.metrics import score_entities

    result = score_entities(a, b, schemes=("strict", "partial"), labels=LABELS)
    out: dict[str, Any] = {"n_a": len(a), "n_b": len(b)}
    for scheme in ("strict", "partial"):
        scores = result[scheme]
        out[scheme] = {
            "micro": scores.micro.to_dict(),
            "per_label": {lab: c.to_dict() for lab, c in scores.per_label.items() if c.possible or c.actual},
        }
    return out


# --------------------------------------------------------------------------- numeric facts


def _value_category(value: float) -> str:
    return f"{float(value):.12g}"


def _metric(fact: dict[str, Any]) -> tuple[Any, ...]:
    return (fact["metric"], fact.get("metric_start"), fact.get("metric_end"))


NUMERIC_ATTRIBUTES: tuple[tuple[str, str, Callable[[dict[str, Any]], Any]], ...] = (
    ("value", "B2", lambda f: _value_category(f["value"])),
    ("unit", "B3", lambda f: f["unit"]),
    ("qualifier", "B4", lambda f: f["qualifier"]),
    ("metric", "B5", _metric),
)


def numeric_agreement(
    a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]]
) -> tuple[dict[str, Any], list[Disagreement]]:
    """Span F1 (exact boundaries), attribute kappas on shared spans, and the disagreements.

    Example:
        >>> f = {"start": 0, "end": 3, "text": "28名", "value": 28, "unit": "名", "qualifier": "exact",
        ...      "metric": "民辅警", "metric_start": 3, "metric_end": 6}
        >>> scores, found = numeric_agreement([f], [f | {"unit": "人"}])
        >>> scores["span"]["f1"], [(d.rule, d.kind) for d in found]
        (1.0, [('B3', 'unit')])
    """
    by_a = {(f["start"], f["end"]): f for f in a}
    by_b = {(f["start"], f["end"]): f for f in b}
    shared = sorted(set(by_a) & set(by_b))
    scores: dict[str, Any] = {
        "n_a": len(a),
        "n_b": len(b),
        "span": SetAgreement(len(shared), len(by_a) - len(shared), len(by_b) - len(shared)).to_dict(),
    }
    found: list[Disagreement] = []
    for name, rule, get in NUMERIC_ATTRIBUTES:
        ratings_a = [get(by_a[k]) for k in shared]
        ratings_b = [get(by_b[k]) for k in shared]
        if name == "metric":
            same = sum(x == y for x, y in zip(ratings_a, ratings_b, strict=True))
            scores[name] = {"agreement": same / len(shared) if shared else None, "n": len(shared)}
        else:
            scores[name] = cohen_kappa(ratings_a, ratings_b).to_dict()
        found += [Disagreement("numeric", rule, name, (by_a[k],), (by_b[k],))
                  for k, x, y in zip(shared, ratings_a, ratings_b, strict=True) if x != y]  # fmt: skip
    only_a = [by_a[k] for k in sorted(set(by_a) - set(by_b))]
    only_b = [by_b[k] for k in sorted(set(by_b) - set(by_a))]
    for group_a, group_b in _clusters(only_a, only_b):
        kind = "boundary" if group_a and group_b else "only_in_a" if group_a else "only_in_b"
        found.append(Disagreement("numeric", "B1", kind, tuple(group_a), tuple(group_b)))
    order = {"B1": 0, "B2": 1, "B3": 2, "B4": 3, "B5": 4}
    found.sort(key=lambda d: (min(r["start"] for r in d.a + d.b), order[d.rule]))
    return scores, found


# --------------------------------------------------------------------------- paragraphs


def topics_agreement(
    a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]]
) -> tuple[dict[str, Any], list[Disagreement]]:
    """Section and primary-topic accuracy and kappa, topic micro F1, on the units both list.

    Example:
        >>> u = {"start": 0, "end": 4, "section": "lead", "topics": ["honours", "crime"]}
        >>> scores, found = topics_agreement([u], [u | {"topics": ["honours"]}])
        >>> scores["topics"]["f1"], [(d.rule, d.kind) for d in found]
        (0.6666666666666666, [('C-topics', 'topics')])
    """
    by_a = {(u["start"], u["end"]): u for u in a}
    by_b = {(u["start"], u["end"]): u for u in b}
    shared = sorted(set(by_a) & set(by_b))
    pairs = [(by_a[k], by_b[k]) for k in shared]
    both = sum(len(set(x["topics"]) & set(y["topics"])) for x, y in pairs)
    only_a = sum(len(set(x["topics"]) - set(y["topics"])) for x, y in pairs)
    only_b = sum(len(set(y["topics"]) - set(x["topics"])) for x, y in pairs)
    scores = {
        "n_a": len(a),
        "n_b": len(b),
        "units": SetAgreement(len(shared), len(by_a) - len(shared), len(by_b) - len(shared)).to_dict(),
        "section": cohen_kappa([x["section"] for x, _ in pairs], [y["section"] for _, y in pairs]).to_dict(),
        "primary": cohen_kappa(
            [x["topics"][0] for x, _ in pairs], [y["topics"][0] for _, y in pairs]
        ).to_dict(),
        "topics": SetAgreement(both, only_a, only_b).to_dict(),
    }
    found = [
        Disagreement("topics", "C-units", "only_in_a", (by_a[k],)) for k in sorted(set(by_a) - set(by_b))
    ]
    found += [
        Disagreement("topics", "C-units", "only_in_b", (), (by_b[k],)) for k in sorted(set(by_b) - set(by_a))
    ]
    for x, y in pairs:
        if x["section"] != y["section"]:
            found.append(Disagreement("topics", "C-sections", "section", (x,), (y,)))
        if list(x["topics"]) != list(y["topics"]):
            kind = "primary_topic" if x["topics"][0] != y["topics"][0] else "topics"
            found.append(Disagreement("topics", "C-topics", kind, (x,), (y,)))
    return scores, found


# --------------------------------------------------------------------------- questions


def qa_agreement(a: Sequence[Any], b: Sequence[Any]) -> tuple[dict[str, Any], list[Disagreement]]:
    """Answer agreement on the questions both passes answer (``QAItem`` records, by id).

    Answers agree when each pass's rules (:func:`benchmark.tasks.qa.judge`) accept the
    other's canonical answer.
    """
    from benchmark.tasks.qa import judge

    by_a, by_b = {q.id: q for q in a}, {q.id: q for q in b}
    shared = sorted(set(by_a) & set(by_b))
    agree = evidence = 0
    found: list[Disagreement] = []
    for qid in shared:
        x, y = by_a[qid], by_b[qid]
        mutual = (
            bool(x.answers and y.answers)
            and judge(x, y.answers[0])["correct"]
            and judge(y, x.answers[0])["correct"]
        )
        agree += mutual
        evidence += x.evidence == y.evidence
        pair = ((record_to_dict(x),), (record_to_dict(y),))
        if x.answer_type != y.answer_type:
            found.append(Disagreement("qa", "D2", "answer_type", *pair))
        if not mutual:
            found.append(Disagreement("qa", "D3", "answers", *pair))
        if x.evidence != y.evidence:
            found.append(Disagreement("qa", "D4", "evidence", *pair))
    n = len(shared)
    scores = {
        "n_a": len(a),
        "n_b": len(b),
        "questions": SetAgreement(n, len(by_a) - n, len(by_b) - n).to_dict(),
        "answer_type": cohen_kappa(
            [by_a[q].answer_type for q in shared], [by_b[q].answer_type for q in shared]
        ).to_dict(),
        "answers_agree": agree / n if n else None,
        "evidence_equal": evidence / n if n else None,
    }
    return scores, found


# --------------------------------------------------------------------------- documents


def _dicts(doc: Document, key: str) -> list[dict[str, Any]]:
    return [record_to_dict(r) for r in doc.gold.get(key, [])]


def compare_documents(a: Document, b: Document, *, a_name: str = "A", b_name: str = "B") -> AgreementReport:
    """Agreement of two annotated versions of one document (same text required).

    Raises:
        AgreementError: When the texts differ.
    """
    if sha256_text(a.text) != sha256_text(b.text):
        raise AgreementError(
            f"{a_name} and {b_name} annotate different texts (sha256 {sha256_text(a.text)[:12]}… "
            f"vs {sha256_text(b.text)[:12]}…); agreement needs the same text.txt"
        )
    report = AgreementReport(a.id, a_name, b_name)
    for key in TASK_ORDER:
        in_a, in_b = key in a.gold, key in b.gold
        if in_a != in_b:
            report.only_one_pass[key] = "a" if in_a else "b"
        if in_a and in_b:
            report.tasks.append(key)
    for key in report.tasks:
        if key == "ner":
            ents_a, ents_b = _dicts(a, "ner"), _dicts(b, "ner")
            report.scores["ner"] = entity_scores(ents_a, ents_b)
            report.disagreements += entity_disagreements(ents_a, ents_b)
        else:
            compute = {"numeric": numeric_agreement, "topics": topics_agreement}.get(key)
            if compute is not None:
                scores, found = compute(_dicts(a, key), _dicts(b, key))
            else:
                scores, found = qa_agreement(a.gold["qa"], b.gold["qa"])
            report.scores[key] = scores
            report.disagreements += found
    return report


def compare_folders(a: str | Path, b: str | Path) -> AgreementReport:
    """Load two annotation folders (validated; problems kept as warnings) and compare them.

    Raises:
        AgreementError: When a folder cannot be read or the texts differ.
    """
    from benchmark.validate import load_document

    docs: list[Document] = []
    problems: list[str] = []
    for folder in (Path(a), Path(b)):
        doc, found = load_document(folder)
        if doc is None:
            raise AgreementError("; ".join(str(p) for p in found) or f"{folder}: cannot be read")
        docs.append(doc)
        problems += [str(p) for p in found]
    report = compare_documents(docs[0], docs[1], a_name=str(a), b_name=str(b))
    report.problems = problems
    return report
