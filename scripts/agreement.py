"""Inter-annotator agreement of two annotation folders of the same document.

Usage:
    python scripts/agreement.py A B [--json] [--max-items N]

A and B are document folders (text.txt, meta.json and the task files), for example the
gold ``annotations/sichuan-police-2020`` and a second annotator's independent pass
``annotations/second-pass/sichuan-police-2020``. Both must hold the same text (same
sha256). Prints span F1 and Cohen's kappa per task and every disagreement grouped by the
guideline rule it most likely falls under (see benchmark/agreement.py). Validation
problems of either folder are printed as warnings; the comparison still runs.
Exit status 0, or 2 when the folders cannot be compared.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from benchmark.agreement import RULES, AgreementError, AgreementReport, Disagreement, compare_folders


def _num(value: Any) -> str:
    """A score with three decimals, or n/a.

    Example:
        >>> _num(0.97561), _num(None), _num(1)
        ('0.976', 'n/a', '1.000')
    """
    return "n/a" if value is None else f"{value:.3f}"


def _kappa(entry: dict[str, Any]) -> str:
    note = f" ({entry['note']})" if entry.get("note") and entry.get("n") else ""
    return f"agreement {_num(entry['agreement'])}, kappa {_num(entry['kappa'])}{note}, n={entry['n']}"


def _set(entry: dict[str, Any]) -> str:
    counts = f"both {entry['both']:g}, A only {entry['only_a']:g}, B only {entry['only_b']:g}"
    return f"F1 {_num(entry['f1'])} ({counts})"


def _ner_lines(scores: dict[str, Any]) -> list[str]:
    lines = [f"ner: {scores['n_a']} entities in A, {scores['n_b']} in B"]
    for scheme in ("strict", "partial"):
        micro = scores[scheme]["micro"]
        lines.append(f"  {scheme:<8} micro F1 {_num(micro['f1'])} (tp {micro['tp']:g}, "
                     f"A only {micro['fn']:g}, B only {micro['fp']:g})")  # fmt: skip
    per = scores["strict"]["per_label"]
    cells = [f"{label} {_num(c['f1'])}" for label, c in per.items()]
    lines.append("  strict per label: " + ", ".join(cells))
    return lines


def _numeric_lines(scores: dict[str, Any]) -> list[str]:
    return [
        f"numeric: {scores['n_a']} facts in A, {scores['n_b']} in B",
        f"  span (exact)  {_set(scores['span'])}",
        *(f"  {name:<13} {_kappa(scores[name])}" for name in ("value", "unit", "qualifier")),
        f"  metric        agreement {_num(scores['metric']['agreement'])}, n={scores['metric']['n']}",
    ]


def _topics_lines(scores: dict[str, Any]) -> list[str]:
    return [
        f"topics: {scores['n_a']} units in A, {scores['n_b']} in B",
        f"  units         {_set(scores['units'])}",
        f"  section       {_kappa(scores['section'])}",
        f"  primary topic {_kappa(scores['primary'])}",
        f"  topics        micro {_set(scores['topics'])}",
    ]


def _qa_lines(scores: dict[str, Any]) -> list[str]:
    return [
        f"qa: {scores['n_a']} questions in A, {scores['n_b']} in B",
        f"  questions     {_set(scores['questions'])}",
        f"  answer type   {_kappa(scores['answer_type'])}",
        f"  answers agree {_num(scores['answers_agree'])} (each pass accepts the other's canonical answer)",
        f"  same evidence {_num(scores['evidence_equal'])}",
    ]


def _item(record: dict[str, Any]) -> str:
    """One record in a line: its span, surface and the fields that matter for the task.

    Example:
        >>> _item({"start": 0, "end": 2, "text": "四川", "label": "GPE"})
        '[0,2) 四川 GPE'
    """
    if "id" in record:
        return f"{record['id']} {record['answer_type']}: {record['answers'][:1]}"
    head = f"[{record['start']},{record['end']})"
    if "label" in record:
        return f"{head} {record['text']} {record['label']}"
    if "unit" in record:
        return (f"{head} {record['text']} value={record['value']:g} unit={record['unit']} "
                f"qualifier={record['qualifier']} metric={record['metric']}")  # fmt: skip
    return f"{head} {record['section']} {','.join(record['topics'])}"


def _disagreement(d: Disagreement) -> str:
    a = "; ".join(_item(r) for r in d.a) or "-"
    b = "; ".join(_item(r) for r in d.b) or "-"
    return f"    {d.task} {d.kind}: A {a}  |  B {b}"


def render_text(report: AgreementReport, *, max_items: int | None = None) -> str:
    """The plain-text report: scores per task, then disagreements grouped by rule."""
    lines = [f"Agreement on {report.doc_id}", f"  A: {report.a}", f"  B: {report.b}", ""]
    for key, side in report.only_one_pass.items():
        lines.append(f"{key}: only pass {side.upper()} has it; not compared")
    render = {"ner": _ner_lines, "numeric": _numeric_lines, "topics": _topics_lines, "qa": _qa_lines}
    for key in report.tasks:
        lines += [*render[key](report.scores[key]), ""]
    groups = report.by_rule()
    lines.append(f"Disagreements: {len(report.disagreements)}")
    for rule, items in groups.items():
        lines.append(f"  {rule} ({RULES[rule]}): {len(items)}")
        shown = items if max_items is None else items[:max_items]
        lines += [_disagreement(d) for d in shown]
        if len(shown) < len(items):
            lines.append(f"    ... {len(items) - len(shown)} more (--max-items)")
    if report.problems:
        lines += ["", f"Warnings: {len(report.problems)} validation problem(s) in the folders"]
        lines += [f"  {p}" for p in report.problems]
    return "\n".join(lines) + "\n"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agreement.py", description=__doc__.splitlines()[0])
    parser.add_argument("a", help="annotation folder of pass A (the reference)")
    parser.add_argument("b", help="annotation folder of pass B (same document)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--max-items", type=int, default=None, help="disagreements shown per rule")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Compare the two folders and print the report; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        report = compare_folders(args.a, args.b)
    except AgreementError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_text(report, max_items=args.max_items), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
