"""Agreement statistics of the built-in tasks (their ``Task.agreement`` hooks call these).

* ``ner``: span F1 per label and micro, strict and partial (A as the reference; F1 is
  symmetric), and entity disagreements clustered by overlap and attributed to a guideline rule;
* ``numeric``: span F1 (exact boundaries), then on the facts both found (same span) Cohen's
  kappa of value (as a category), unit and qualifier, and the share with the same metric;
* ``topics``: on the units both list, section accuracy and kappa, primary-topic accuracy
  and kappa, multi-label topic micro F1;
* ``qa``: on the questions both answer (same id), answer-type kappa, the share of canonical
  answers each accepts from the other (the task's own judge), evidence agreement.

Entity disagreements are classified by :func:`entity_rule`:

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
a span only one pass has, a generic term                 A6
a span only one pass has, DATE                           A9
anything else (crossing spans, other misses)             other
======================================================  =========

Numeric facts: a span in one pass only (or with other boundaries) is B1; on a shared span
a different value is B2, unit B3, qualifier B4, metric B5 (one disagreement per attribute).
Paragraphs: ``C-units`` (a unit in one pass only), ``C-sections``, ``C-topics``. Questions:
``D2`` (answer type), ``D3`` (answers not accepted both ways), ``D4`` (evidence).

This module imports no task module: what it needs of a task (labels, generic terms, the QA
judge) is passed in, so the task modules can import it.

Example:
    >>> a = [{"start": 0, "end": 6, "text": "四川省公安厅", "label": "ORG"}]
    >>> b = [{"start": 0, "end": 3, "text": "四川省", "label": "GPE"}]
    >>> [(d.kind, d.rule) for d in entity_disagreements(a, b, key="ner")]
    [('boundary', 'A1')]
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from benchmark.metrics.agreement import (
    OTHER_RULE,
    Disagreement,
    SetAgreement,
    cohen_kappa,
    fmt_kappa,
    fmt_score,
    fmt_set,
    overlap_clusters,
)
from benchmark.schema import record_to_dict

QUOTES = "“”\"'‘’「」『』《》"

ENTITY_RULES: dict[str, str] = {
    "A1": "flat and outermost spans",
    "A2": "titles split from their organisation and holder",
    "A3": "an event keeps its named organiser outside",
    "A6": "generic descriptions are not entities",
    "A7": "compound place names split at each level",
    "A8": "quotation marks around a whole name are left out",
    "A9": "bare years are DATE; headings annotated like running text",
    "A-labels": "the label definitions (section A table)",
}
NUMERIC_RULES: dict[str, str] = {
    "B1": "span of a numeric fact (and what is a fact)",
    "B2": "value",
    "B3": "unit",
    "B4": "qualifier",
    "B5": "metric",
}
TOPIC_RULES: dict[str, str] = {
    "C-units": "paragraph units",
    "C-sections": "sections",
    "C-topics": "topics (first = primary)",
}
QA_RULES: dict[str, str] = {"D2": "answer types", "D3": "answers", "D4": "evidence"}


# --------------------------------------------------------------------------- entities


def _only_quotes_differ(x: str, y: str) -> bool:
    return x != y and x.strip(QUOTES) == y.strip(QUOTES)


def _single_rule(item: dict[str, Any], generic_terms: Collection[str]) -> str:
    if item.get("text") in generic_terms:
        return "A6"
    return "A9" if item["label"] == "DATE" else OTHER_RULE


def _pair_rule(x: dict[str, Any], y: dict[str, Any]) -> tuple[str, str]:
    labels = {x["label"], y["label"]}
    if (x["start"], x["end"]) == (y["start"], y["end"]):
        return "label", "A9" if "DATE" in labels else "A-labels"
    inside = (x["start"] <= y["start"] and y["end"] <= x["end"]) or (
        y["start"] <= x["start"] and x["end"] <= y["end"]
    )
    if not inside:
        return "boundary", OTHER_RULE
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


def entity_rule(
    a_items: list[dict[str, Any]], b_items: list[dict[str, Any]], generic_terms: Collection[str] = ()
) -> tuple[str, str]:
    """``(kind, rule)`` of one cluster of overlapping entity disagreements (see the module table).

    Example:
        >>> whole = {"start": 0, "end": 6, "text": "习近平总书记", "label": "PER"}
        >>> parts = [{"start": 0, "end": 3, "text": "习近平", "label": "PER"},
        ...          {"start": 3, "end": 6, "text": "总书记", "label": "TITLE"}]
        >>> entity_rule([whole], parts)
        ('split', 'A2')
    """
    if not a_items or not b_items:
        return ("only_in_a" if a_items else "only_in_b"), _single_rule((a_items or b_items)[0], generic_terms)
    if len(a_items) == 1 and len(b_items) == 1:
        return _pair_rule(a_items[0], b_items[0])
    if len(a_items) == 1 or len(b_items) == 1:
        whole, parts = (a_items[0], b_items) if len(a_items) == 1 else (b_items[0], a_items)
        if all(whole["start"] <= p["start"] and p["end"] <= whole["end"] for p in parts):
            return "split", _split_rule(parts)
    return "complex", OTHER_RULE


def _entity_key(e: dict[str, Any]) -> tuple[int, int, str]:
    return (e["start"], e["end"], e["label"])


def entity_disagreements(
    a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]], *, key: str, generic_terms: Collection[str] = ()
) -> list[Disagreement]:
    """Entity records in one pass only, clustered by overlap and attributed to a rule.

    Records of the same pass never overlap (the validator's rule), so a cluster without a
    counterpart holds exactly one record.
    """
    keys_a, keys_b = {_entity_key(e) for e in a}, {_entity_key(e) for e in b}
    only_a = sorted((e for e in a if _entity_key(e) not in keys_b), key=_entity_key)
    only_b = sorted((e for e in b if _entity_key(e) not in keys_a), key=_entity_key)
    out = []
    for group_a, group_b in overlap_clusters(only_a, only_b):
        if group_a and group_b:
            kind, rule = entity_rule(group_a, group_b, generic_terms)
            out.append(Disagreement(key, rule, kind, tuple(group_a), tuple(group_b)))
        else:  # a record overlapping nothing of the other pass is a cluster of its own
            out += [Disagreement(key, _single_rule(x, generic_terms), "only_in_a", (x,)) for x in group_a]
            out += [Disagreement(key, _single_rule(y, generic_terms), "only_in_b", (), (y,)) for y in group_b]
    return out


def entity_scores(
    a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]], labels: Sequence[str]
) -> dict[str, Any]:
    """Strict and partial span agreement, micro and per label (A as reference)."""
    from benchmark.metrics import score_entities

    result = score_entities(a, b, schemes=("strict", "partial"), labels=labels)
    out: dict[str, Any] = {"n_a": len(a), "n_b": len(b)}
    for scheme in ("strict", "partial"):
        scores = result[scheme]
        out[scheme] = {
            "micro": scores.micro.to_dict(),
            "per_label": {lab: c.to_dict() for lab, c in scores.per_label.items() if c.possible or c.actual},
        }
    return out


def entity_lines(key: str, scores: dict[str, Any]) -> list[str]:
    """The text report of :func:`entity_scores`."""
    lines = [f"{key}: {scores['n_a']} entities in A, {scores['n_b']} in B"]
    for scheme in ("strict", "partial"):
        micro = scores[scheme]["micro"]
        lines.append(f"  {scheme:<8} micro F1 {fmt_score(micro['f1'])} (tp {micro['tp']:g}, "
                     f"A only {micro['fn']:g}, B only {micro['fp']:g})")  # fmt: skip
    per = scores["strict"]["per_label"]
    cells = [f"{label} {fmt_score(c['f1'])}" for label, c in per.items()]
    lines.append("  strict per label: " + ", ".join(cells))
    return lines


def entity_item(record: dict[str, Any]) -> str:
    """One entity on a line.

    Example:
        >>> entity_item({"start": 0, "end": 2, "text": "四川", "label": "GPE"})
        '[0,2) 四川 GPE'
    """
    return f"[{record['start']},{record['end']}) {record['text']} {record['label']}"


# --------------------------------------------------------------------------- numeric facts


def _metric(fact: dict[str, Any]) -> tuple[Any, ...]:
    return (fact["metric"], fact.get("metric_start"), fact.get("metric_end"))


NUMERIC_ATTRIBUTES: tuple[tuple[str, str, Callable[[dict[str, Any]], Any]], ...] = (
    ("value", "B2", lambda f: f"{float(f['value']):.12g}"),
    ("unit", "B3", lambda f: f["unit"]),
    ("qualifier", "B4", lambda f: f["qualifier"]),
    ("metric", "B5", _metric),
)


def numeric_agreement(
    a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]], *, key: str
) -> tuple[dict[str, Any], list[Disagreement]]:
    """Span F1 (exact boundaries), attribute kappas on shared spans, and the disagreements.

    Example:
        >>> f = {"start": 0, "end": 3, "text": "28名", "value": 28, "unit": "名", "qualifier": "exact",
        ...      "metric": "民辅警", "metric_start": 3, "metric_end": 6}
        >>> scores, found = numeric_agreement([f], [f | {"unit": "人"}], key="numeric")
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
        found += [Disagreement(key, rule, name, (by_a[k],), (by_b[k],))
                  for k, x, y in zip(shared, ratings_a, ratings_b, strict=True) if x != y]  # fmt: skip
    only_a = [by_a[k] for k in sorted(set(by_a) - set(by_b))]
    only_b = [by_b[k] for k in sorted(set(by_b) - set(by_a))]
    for group_a, group_b in overlap_clusters(only_a, only_b):
        kind = "boundary" if group_a and group_b else "only_in_a" if group_a else "only_in_b"
        found.append(Disagreement(key, "B1", kind, tuple(group_a), tuple(group_b)))
    order = {"B1": 0, "B2": 1, "B3": 2, "B4": 3, "B5": 4}
    found.sort(key=lambda d: (min(r["start"] for r in d.a + d.b), order[d.rule]))
    return scores, found


def numeric_lines(key: str, scores: dict[str, Any]) -> list[str]:
    """The text report of :func:`numeric_agreement`."""
    return [
        f"{key}: {scores['n_a']} facts in A, {scores['n_b']} in B",
        f"  span (exact)  {fmt_set(scores['span'])}",
        *(f"  {name:<13} {fmt_kappa(scores[name])}" for name in ("value", "unit", "qualifier")),
        f"  metric        agreement {fmt_score(scores['metric']['agreement'])}, n={scores['metric']['n']}",
    ]


def numeric_item(record: dict[str, Any]) -> str:
    """One numeric fact on a line."""
    return (f"[{record['start']},{record['end']}) {record['text']} value={record['value']:g} "
            f"unit={record['unit']} qualifier={record['qualifier']} metric={record['metric']}")  # fmt: skip


# --------------------------------------------------------------------------- paragraphs


def topics_agreement(
    a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]], *, key: str
) -> tuple[dict[str, Any], list[Disagreement]]:
    """Section and primary-topic accuracy and kappa, topic micro F1, on the units both list.

    Example:
        >>> u = {"start": 0, "end": 4, "section": "lead", "topics": ["honours", "crime"]}
        >>> scores, found = topics_agreement([u], [u | {"topics": ["honours"]}], key="topics")
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
    found = [Disagreement(key, "C-units", "only_in_a", (by_a[k],)) for k in sorted(set(by_a) - set(by_b))]
    found += [
        Disagreement(key, "C-units", "only_in_b", (), (by_b[k],)) for k in sorted(set(by_b) - set(by_a))
    ]
    for x, y in pairs:
        if x["section"] != y["section"]:
            found.append(Disagreement(key, "C-sections", "section", (x,), (y,)))
        if list(x["topics"]) != list(y["topics"]):
            kind = "primary_topic" if x["topics"][0] != y["topics"][0] else "topics"
            found.append(Disagreement(key, "C-topics", kind, (x,), (y,)))
    return scores, found


def topics_lines(key: str, scores: dict[str, Any]) -> list[str]:
    """The text report of :func:`topics_agreement`."""
    return [
        f"{key}: {scores['n_a']} units in A, {scores['n_b']} in B",
        f"  units         {fmt_set(scores['units'])}",
        f"  section       {fmt_kappa(scores['section'])}",
        f"  primary topic {fmt_kappa(scores['primary'])}",
        f"  topics        micro {fmt_set(scores['topics'])}",
    ]


def topics_item(record: dict[str, Any]) -> str:
    """One paragraph unit on a line."""
    return f"[{record['start']},{record['end']}) {record['section']} {','.join(record['topics'])}"


# --------------------------------------------------------------------------- questions


def qa_agreement(
    a: Sequence[Any], b: Sequence[Any], *, key: str, judge: Callable[[Any, str], Any]
) -> tuple[dict[str, Any], list[Disagreement]]:
    """Answer agreement on the questions both passes answer (question records, by id).

    Answers agree when each pass's rules (``judge(item, answer)``, whose result has
    ``["correct"]`` or ``.correct``) accept the other's canonical answer.
    """

    def accepts(item: Any, answer: str) -> bool:
        verdict = judge(item, answer)
        return bool(verdict["correct"] if isinstance(verdict, dict) else verdict.correct)

    by_a, by_b = {q.id: q for q in a}, {q.id: q for q in b}
    shared = sorted(set(by_a) & set(by_b))
    agree = evidence = 0
    found: list[Disagreement] = []
    for qid in shared:
        x, y = by_a[qid], by_b[qid]
        mutual = bool(x.answers and y.answers) and accepts(x, y.answers[0]) and accepts(y, x.answers[0])
        agree += mutual
        evidence += x.evidence == y.evidence
        pair = ((record_to_dict(x),), (record_to_dict(y),))
        if x.answer_type != y.answer_type:
            found.append(Disagreement(key, "D2", "answer_type", *pair))
        if not mutual:
            found.append(Disagreement(key, "D3", "answers", *pair))
        if x.evidence != y.evidence:
            found.append(Disagreement(key, "D4", "evidence", *pair))
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


def qa_lines(key: str, scores: dict[str, Any]) -> list[str]:
    """The text report of :func:`qa_agreement`."""
    return [
        f"{key}: {scores['n_a']} questions in A, {scores['n_b']} in B",
        f"  questions     {fmt_set(scores['questions'])}",
        f"  answer type   {fmt_kappa(scores['answer_type'])}",
        f"  answers agree {fmt_score(scores['answers_agree'])} "
        "(each pass accepts the other's canonical answer)",
        f"  same evidence {fmt_score(scores['evidence_equal'])}",
    ]


def qa_item(record: dict[str, Any]) -> str:
    """One question on a line."""
    return f"{record['id']} {record['answer_type']}: {list(record['answers'])[:1]}"
