"""Task ``topics.v1``: the section and topics of every paragraph unit.

A unit is each non-empty line that is not a heading, without its outer
whitespace. The taxonomy is defined in annotations/GUIDELINES.md (section C).
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmark.document import Document
from benchmark.schema import Paragraph, Problem
from benchmark.tasks.base import Task
from benchmark.tasks.registry import register_task

SECTIONS = (
    "masthead",
    "title",
    "byline",
    "lead",
    "keywords",
    "politics",
    "duty",
    "reform",
    "discipline",
)
TOPICS = (
    "party_politics",
    "covid",
    "crime",
    "public_safety",
    "reform",
    "technology",
    "grassroots",
    "team_discipline",
    "training",
    "poverty_alleviation",
    "honours",
    "overview",
    "page_furniture",
)


def expected_units(doc: Document) -> list[tuple[int, int]]:
    """The spans every topics file must cover: non-empty lines minus headings."""
    heading_spans = {(h.start, h.end) for h in doc.headings}
    return [span for span in doc.lines() if span not in heading_spans]


@register_task
class TopicsTask(Task):
    """Section and multi-label topics per paragraph unit (first topic = primary)."""

    name = "topics.v1"
    key = "topics"
    gold_file = "paragraphs.jsonl"
    record_type = Paragraph
    description = "section and topics (multi-label, first = primary) of every paragraph unit"
    sections = SECTIONS
    topics = TOPICS

    def check(
        self, doc: Document, records: Sequence[Paragraph], *, file: str, gold: bool = True
    ) -> list[Problem]:
        problems: list[Problem] = []
        for i, unit in enumerate(records, start=1):
            if unit.section not in SECTIONS:
                problems.append(
                    Problem(
                        file,
                        i,
                        "section",
                        f"unknown section {unit.section!r}; expected one of {', '.join(SECTIONS)}",
                    )
                )
            if not unit.topics:
                problems.append(Problem(file, i, "topics", "at least one topic is required"))
            for topic in unit.topics:
                if topic not in TOPICS:
                    problems.append(
                        Problem(
                            file, i, "topics", f"unknown topic {topic!r}; expected one of {', '.join(TOPICS)}"
                        )
                    )
            if len(set(unit.topics)) != len(unit.topics):
                problems.append(Problem(file, i, "topics", f"repeated topic in {list(unit.topics)}"))
        return problems + _coverage(doc, records, file=file)


def _coverage(doc: Document, records: Sequence[Paragraph], *, file: str) -> list[Problem]:
    """Every expected unit exactly once, and nothing else."""
    expected = expected_units(doc)
    wanted = set(expected)
    seen: dict[tuple[int, int], int] = {}
    problems = []
    for i, unit in enumerate(records, start=1):
        span = (unit.start, unit.end)
        if span not in wanted:
            problems.append(
                Problem(
                    file,
                    i,
                    "start",
                    f"[{unit.start}, {unit.end}) is not a "
                    "paragraph unit (a non-empty, non-heading line without "
                    "its outer whitespace)",
                )
            )
        elif span in seen:
            problems.append(
                Problem(
                    file,
                    i,
                    "start",
                    f"unit [{unit.start}, {unit.end}) is already annotated on line {seen[span]}",
                )
            )
        else:
            seen[span] = i
    for start, end in expected:
        if (start, end) not in seen:
            problems.append(
                Problem(
                    file, None, None, f"missing paragraph unit [{start}, {end}): {doc.text[start:end][:30]!r}"
                )
            )
    return problems
