"""Task ``ner.v1``: flat, non-overlapping named entities (outermost spans).

Labels and rules are defined in annotations/GUIDELINES.md (section A).
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmark.document import Document
from benchmark.schema import Entity, Problem
from benchmark.tasks.base import Task, overlap_problems
from benchmark.tasks.registry import register_task

LABELS = ("PER", "ORG", "GPE", "LOC", "DATE", "EVENT", "TITLE")

# Generic descriptions that the guidelines (rule A6) say are not entities; the
# error analysis uses them to name a false alarm "generic description tagged".
GENERIC_TERMS = frozenset(
    {
        "全省公安机关",
        "全国",
        "全省",
        "派出所",
        "党委会议",
        "党委会",
        "党",
        "反恐怖特别侦察队",
        "疫情防控工作指挥部",
        "联合指挥部",
        "公安部领导",
        "疫情防控阻击战",
        "教育整顿",
        "全警实战大练兵",
        "禁毒助力脱贫攻坚行动",
        "打击长江流域非法捕捞专项整治行动",
        "忠诚教育",
        "民辅警",
        "民警辅警",
        "全省公安",
        "公安机关",
        "公安",
        "省级",
    }
)


@register_task
class NerTask(Task):
    """Named entities: PER, ORG, GPE, LOC, DATE, EVENT, TITLE; flat and outermost."""

    name = "ner.v1"
    key = "ner"
    gold_file = "entities.jsonl"
    record_type = Entity
    description = "named entities (PER ORG GPE LOC DATE EVENT TITLE), flat, outermost spans"
    labels = LABELS

    def check(
        self, doc: Document, records: Sequence[Entity], *, file: str, gold: bool = True
    ) -> list[Problem]:
        problems = [
            Problem(file, i, "label", f"unknown label {r.label!r}; expected one of {', '.join(LABELS)}")
            for i, r in enumerate(records, start=1)
            if r.label not in LABELS
        ]
        return problems + overlap_problems(records, file=file, what="entity")
