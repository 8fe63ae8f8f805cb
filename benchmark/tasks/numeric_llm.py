"""The LLM prompt and answer parser of ``numeric.v1`` (``NumericTask.llm_*`` delegate here).

The prompt asks for a JSON list of ``{"text", "value", "unit", "qualifier", "metric"}``.
Each fact is grounded here: the quantity takes the first occurrence of its string in its
line (every line for a whole-document answer), left to right, that no earlier fact of the
answer took and that does not start in the middle of a number; its metric takes the
nearest occurrence in the same line that does not overlap the quantity. A fact that cannot
be placed, or whose every occurrence is taken, is dropped and counted as a grounding
failure; an answer whose items are all invalid is a failure of the unit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from string import Template
from typing import Any

from benchmark.normalize import QUALIFIERS
from benchmark.schema import NumericFact
from benchmark.tasks.llm import (
    LLMPrompt,
    LLMRequest,
    ParsedUnit,
    check_unit_style,
    dump,
    example_block,
    fewshot,
    prompt_file,
)
from benchmark.tasks.llm_parse import (
    AnswerError,
    as_item_list,
    nearest_any,
    normalize_keys,
    number,
    occurrences,
    overlaps,
    parse_json_answer,
    strip_quotes,
    text_field,
)

_NUMERAL = re.compile(r"[\d.０-９零〇一二两三四五六七八九十百千万亿]")


def normalize_qualifier(raw: Any) -> str | None:
    """One of the normalizer's qualifiers (``at-least`` -> ``at_least``), or None.

    Example:
        >>> normalize_qualifier("At-Least"), normalize_qualifier("roughly")
        ('at_least', None)
    """
    if not isinstance(raw, str):
        return None
    name = raw.strip().lower().replace("-", "_").replace(" ", "_")
    return name if name in QUALIFIERS else None


@dataclass(frozen=True)
class FactAnswer:
    """A numeric fact as a model returned it (strings, not yet grounded)."""

    text: str
    value: int | float
    unit: str
    qualifier: str
    metric: str


def read_fact(item: Any) -> FactAnswer | None:
    """A :class:`FactAnswer` from one answer item, or None if a field is missing or invalid."""
    if not isinstance(item, dict):
        return None
    keyed = normalize_keys(item)
    text, metric = text_field(keyed, "text"), text_field(keyed, "metric")
    value, qualifier = number(keyed.get("value")), normalize_qualifier(keyed.get("qualifier", "exact"))
    unit = keyed.get("unit", "")
    if text is None or metric is None or value is None or qualifier is None or not isinstance(unit, str):
        return None
    return FactAnswer(text, value, unit.strip(), qualifier, metric)


def _starts_cleanly(window: str, pos: int, needle: str) -> bool:
    """False when a numeral-initial quantity would start inside a longer number (5个 in 15个)."""
    return pos == 0 or not (_NUMERAL.match(needle[0]) and _NUMERAL.match(window[pos - 1]))


def ground_fact(
    doc: Any, line_indices: Sequence[int], fact: FactAnswer, taken: list[tuple[int, int]]
) -> tuple[NumericFact | None, str]:
    """Ground one fact in the first of ``line_indices`` where it fits.

    Returns:
        The record (None if it cannot be placed) and, when None, ``"ungrounded"`` or
        ``"overlapping"`` (every occurrence of the quantity overlaps an earlier fact).
    """
    reason = "ungrounded"
    for li in line_indices:
        start, end = doc.lines[li]
        window = doc.text[start:end]
        for needle in strip_quotes(fact.text):
            for pos in occurrences(window, needle):
                span = (start + pos, start + pos + len(needle))
                if not _starts_cleanly(window, pos, needle):
                    continue
                if overlaps(span, taken):
                    reason = "overlapping"
                    continue
                metric = nearest_any(window, strip_quotes(fact.metric), (pos, pos + len(needle)))
                if metric is None:
                    break
                ms, me = start + metric[0], start + metric[1]
                record = NumericFact(span[0], span[1], doc.text[span[0] : span[1]], fact.value, fact.unit,
                                     fact.qualifier, doc.text[ms:me], ms, me)  # fmt: skip
                return record, ""
    return None, reason


@cache
def prompt(unit: str = "line", style: str = "chat") -> LLMPrompt:
    """The numeric prompt: what counts as a quantity, the fields, few-shot examples."""
    check_unit_style(unit, style)
    user_template = prompt_file("numeric_user.txt").strip()
    examples = fewshot("numeric")
    pairs = [(Template(user_template).substitute(text=ex["text"]), dump(ex["answer"])) for ex in examples]
    system = Template(prompt_file("numeric_system.txt")).substitute(examples=example_block(pairs)).strip()
    return LLMPrompt("numeric", unit, style, system, user_template, len(pairs))


def requests(doc: Any, unit: str = "line", style: str = "chat") -> list[LLMRequest]:
    """One request per line (headings included), or one for the whole document."""
    p = prompt(unit, style)
    if unit == "document":
        text = doc.text.strip()
        return [p.request(-1, "document", text=text)] if text else []
    return [p.request(i, f"line {i}", text=doc.text[s:e]) for i, (s, e) in enumerate(doc.lines)]


def parse(doc: Any, request: LLMRequest, answer: str) -> ParsedUnit:
    """Grounded, non-overlapping numeric facts of one answer, sorted by offset."""
    try:
        items = as_item_list(parse_json_answer(answer))
    except AnswerError as exc:
        return ParsedUnit.failed(f"unparseable answer ({exc})")
    out = ParsedUnit(items=len(items))
    lines = [request.target] if request.target >= 0 else list(range(len(doc.lines)))
    taken: list[tuple[int, int]] = []
    for item in items:
        fact = read_fact(item)
        if fact is None:
            out.drop("invalid_items", f"{request.where}: invalid numeric fact {item!r:.120}")
            continue
        record, reason = ground_fact(doc, lines, fact, taken)
        if record is None:
            message = f"{request.where}: {reason} numeric fact {fact.text!r} (metric {fact.metric!r})"
            out.drop(reason, message, grounding=True)
            continue
        out.records.append(record)
        taken.append((record.start, record.end))
    if items and out.counts.get("invalid_items") == len(items):
        return ParsedUnit.failed(f"no valid numeric fact in {len(items)} item(s): {items[0]!r:.80}")
    out.records.sort(key=lambda r: (r.start, r.end))
    return out


def reference(doc: Any, request: LLMRequest) -> str:
    """The gold answer of a request: its line's facts in order, as JSON."""
    start, end = doc.lines()[request.target] if request.target >= 0 else (0, len(doc.text))
    facts = sorted((f for f in doc.gold.get("numeric", []) if start <= f.start < end), key=lambda f: f.start)
    keys = ("text", "value", "unit", "qualifier", "metric")
    return dump([{k: getattr(f, k) for k in keys} for f in facts])
