"""The reading-comprehension view of one run: every question, its gold, the answer and the verdict.

Built from the ``questions`` of the task's ``details`` (the judge's verdict per question); the
"why" column shows the rule the judge applied (``rule``) when the details carry it, otherwise
the exact match and character F1 the judge computed.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from benchmark.render.widgets import esc, table, th, zh


def _why(q: dict[str, Any]) -> str:
    rule = q.get("rule")
    if rule:
        return str(rule)
    f1 = q.get("f1")
    f1_text = "" if f1 is None else f", char F1 {f1:.2f}"
    return f"exact match: {'yes' if q.get('em') else 'no'}{f1_text}"


def qa_view(details: dict[str, Any]) -> str:
    """A summary per answer type and one row per question."""
    questions = details.get("questions", [])
    right = Counter(q.get("type", "") for q in questions if q.get("correct"))
    total = Counter(q.get("type", "") for q in questions)
    summary = "; ".join(f"{esc(t)}: {right[t]}/{n}" for t, n in sorted(total.items()))
    body = []
    for q in questions:
        verdict = "right" if q.get("correct") else "wrong"
        answer = q.get("answer") or ""
        body.append(
            f'<tr class="verdict-{verdict}"><td>{esc(q.get("id", ""))}</td><td>{esc(q.get("type", ""))}</td>'
            f"<td>{zh(q.get('question', ''))}</td><td>{zh(q.get('gold', ''))}</td>"
            f"<td>{zh(answer) if answer else '<em>no answer</em>'}</td>"
            f'<td class="verdict">{"✓" if verdict == "right" else "✗"} {verdict}</td>'
            f'<td class="rule">{esc(_why(q))}</td></tr>'
        )
    head = [th(h) for h in ("id", "type", "question", "gold", "answer", "verdict", "why (judge's rule)")]
    n_right = sum(right.values())
    rules = Counter(str(q.get("rule")) for q in questions if q.get("rule"))
    by_rule = ", ".join(f"{esc(r)}: {n}" for r, n in sorted(rules.items()))
    rule_line = f'<p class="qa-rules">Decided by rule: {by_rule}.</p>' if by_rule else ""
    return (
        f'<p class="qa-counts">{n_right} of {len(questions)} questions right ({summary}).</p>{rule_line}'
        + table(head, body or ['<tr><td colspan="7">no questions</td></tr>'], caption="Questions")
    )
