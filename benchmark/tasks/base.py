"""The task interface: one module per task, registered by name with a version.

A task declares its gold file, its record type and the rules a file of its
records must follow beyond the record schema (labels, overlaps, coverage). The
validator and the scorers only go through this interface, so adding a task is
one new module plus a registry line (see docs/adding-a-task.md).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

from benchmark.document import Document
from benchmark.schema import Problem


class Task(ABC):
    """Base class of every task.

    Class attributes:
        name: Versioned name, e.g. ``ner.v1``; a change that can move a score bumps it.
        key: Short name used on the command line and in ``Document.gold``.
        gold_file: File name of the gold (and predictions) inside a document folder.
        record_type: The :mod:`benchmark.schema` record class of one line.
        description: One line for ``--list-tasks``.
    """

    name: ClassVar[str]
    key: ClassVar[str]
    gold_file: ClassVar[str]
    record_type: ClassVar[type]
    description: ClassVar[str]

    @abstractmethod
    def check(self, doc: Document, records: Sequence[Any], *, file: str, gold: bool = True) -> list[Problem]:
        """Task rules for a whole file of records (beyond the per-record schema).

        ``records`` have already passed the schema and the surface check; line
        numbers in problems are 1-based positions of records in the file. With
        ``gold=False`` (a predictions file) rules that only gold must follow, such
        as a value consistent with its surface, are skipped: a wrong value is a
        wrong prediction, not a malformed file.
        """


def overlap_problems(records: Sequence[Any], *, file: str, what: str) -> list[Problem]:
    """Report every pair of records whose ``[start, end)`` spans overlap.

    Example:
        >>> from benchmark.schema import Entity
        >>> recs = [Entity(0, 3, "abc", "ORG"), Entity(2, 4, "cd", "GPE")]
        >>> [str(p) for p in overlap_problems(recs, file="f", what="entity")]
        ['f:2: start: entity [2, 4) overlaps entity [0, 3) on line 1']
    """
    problems = []
    order = sorted(range(len(records)), key=lambda i: (records[i].start, records[i].end))
    reach = -1
    reach_index = -1
    for i in order:
        rec = records[i]
        if rec.start < reach:
            other = records[reach_index]
            problems.append(
                Problem(
                    file,
                    i + 1,
                    "start",
                    f"{what} [{rec.start}, {rec.end}) overlaps {what} "
                    f"[{other.start}, {other.end}) on line {reach_index + 1}",
                )
            )
        if rec.end > reach:
            reach, reach_index = rec.end, i
    return problems
