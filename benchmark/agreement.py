"""Inter-annotator agreement between two annotation folders of the same document.

Two independent passes over one text (same ``text_sha256``; :class:`AgreementError`
otherwise) are compared task by task, on the tasks both folders annotate, in registry order.
Each task computes its own figures and disagreements (:meth:`Task.agreement
<benchmark.tasks.base.Task.agreement>`; the statistics are in
:mod:`benchmark.metrics.agreement` and, for the built-in tasks,
:mod:`benchmark.tasks.agreement_stats`) and renders them (``agreement_lines``,
``agreement_item``). Disagreements are grouped by the guideline rule they most likely fall
under: the rules each task declares in ``agreement_rules``, then ``other``.

Example:
    >>> from benchmark.document import Document
    >>> from benchmark.schema import Entity
    >>> a = Document("d", "四川省公安厅", {"id": "d"}, gold={"ner": [Entity(0, 6, "四川省公安厅", "ORG")]})
    >>> b = Document("d", "四川省公安厅", {"id": "d"}, gold={"ner": [Entity(0, 3, "四川省", "GPE")]})
    >>> [(d.kind, d.rule) for d in compare_documents(a, b).disagreements]
    [('boundary', 'A1')]
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmark.document import Document, sha256_text
from benchmark.metrics.agreement import (
    GENERIC_RULES,
    Disagreement,
    Kappa,
    SetAgreement,
    cohen_kappa,
    fmt_record,
    key_set_agreement,
)
from benchmark.tasks import TASKS, get_task

__all__ = [
    "AgreementError",
    "AgreementReport",
    "Disagreement",
    "Kappa",
    "SetAgreement",
    "cohen_kappa",
    "compare_documents",
    "compare_folders",
    "key_set_agreement",
    "render_text",
    "rules",
]


class AgreementError(ValueError):
    """The two folders cannot be compared (not the same text, or unreadable)."""


def rules() -> dict[str, str]:
    """Every rule a disagreement can fall under: each registered task's, then the generic ones."""
    out: dict[str, str] = {}
    for key in TASKS.names():
        out.update(get_task(key).agreement_rules)
    return out | GENERIC_RULES


@dataclass
class AgreementReport:
    """Everything :func:`compare_folders` computes; :func:`render_text` renders it.

    Attributes:
        doc_id: The document.
        a: Folder of pass A (the reference of the asymmetric counts).
        b: Folder of pass B.
        tasks: Task keys both passes annotate, in registry order.
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
        """Disagreements grouped by rule, in the order of :func:`rules` (unknown rules last)."""
        order = list(rules())
        order += sorted({d.rule for d in self.disagreements} - set(order))
        groups: dict[str, list[Disagreement]] = {}
        for rule in order:
            found = [d for d in self.disagreements if d.rule == rule]
            if found:
                groups[rule] = found
        return groups

    def rule_counts(self) -> dict[str, int]:
        """Number of disagreements per rule (rules without any left out)."""
        return {rule: len(items) for rule, items in self.by_rule().items()}

    def to_dict(self) -> dict[str, Any]:
        """As a JSON-able dict (the ``--json`` output)."""
        known = rules()
        return {
            "doc_id": self.doc_id,
            "a": self.a,
            "b": self.b,
            "tasks": list(self.tasks),
            "only_one_pass": dict(self.only_one_pass),
            "scores": self.scores,
            "rule_counts": self.rule_counts(),
            "rules": {rule: known.get(rule, "") for rule in self.rule_counts()},
            "disagreements": [d.to_dict() for d in self.disagreements],
            "problems": list(self.problems),
        }


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
    for key in TASKS.names():
        in_a, in_b = key in a.gold, key in b.gold
        if in_a != in_b:
            report.only_one_pass[key] = "a" if in_a else "b"
        if in_a and in_b:
            report.tasks.append(key)
    for key in report.tasks:
        result = get_task(key).agreement(a, b)
        report.scores[key] = result["scores"]
        report.disagreements += result["disagreements"]
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


def _disagreement_line(d: Disagreement) -> str:
    item = get_task(d.task).agreement_item if d.task in TASKS else fmt_record
    a = "; ".join(item(r) for r in d.a) or "-"
    b = "; ".join(item(r) for r in d.b) or "-"
    return f"    {d.task} {d.kind}: A {a}  |  B {b}"


def render_text(report: AgreementReport, *, max_items: int | None = None) -> str:
    """The plain-text report: scores per task (each task's ``agreement_lines``), then
    disagreements grouped by rule."""
    lines = [f"Agreement on {report.doc_id}", f"  A: {report.a}", f"  B: {report.b}", ""]
    for key, side in report.only_one_pass.items():
        lines.append(f"{key}: only pass {side.upper()} has it; not compared")
    for key in report.tasks:
        lines += [*get_task(key).agreement_lines(report.scores[key]), ""]
    known = rules()
    lines.append(f"Disagreements: {len(report.disagreements)}")
    for rule, items in report.by_rule().items():
        lines.append(f"  {rule} ({known.get(rule, 'undeclared rule')}): {len(items)}")
        shown = items if max_items is None else items[:max_items]
        lines += [_disagreement_line(d) for d in shown]
        if len(shown) < len(items):
            lines.append(f"    ... {len(items) - len(shown)} more (--max-items)")
    if report.problems:
        lines += ["", f"Warnings: {len(report.problems)} validation problem(s) in the folders"]
        lines += [f"  {p}" for p in report.problems]
    return "\n".join(lines) + "\n"


def run(a: str | Path, b: str | Path, *, as_json: bool = False, max_items: int | None = None) -> int:
    """Compare two folders and print the report (text or JSON); the exit status (2: not comparable)."""
    try:
        report = compare_folders(a, b)
    except AgreementError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_text(report, max_items=max_items), end="")
    return 0
