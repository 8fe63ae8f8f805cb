"""The task interface: one module per task, registered by name with a version.

A task declares its gold file, its record type and the rules a file of its
records must follow beyond the record schema (labels, overlaps, coverage). The
validator and the scorers only go through this interface, so adding a task is
one new module plus a registry line (see docs/adding-a-task.md).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from benchmark.document import Document
from benchmark.metrics.bootstrap import with_batch
from benchmark.schema import Problem

if TYPE_CHECKING:
    from benchmark.tasks.llm import LLMPrompt, LLMRequest, ParsedUnit


@dataclass(frozen=True)
class Headline:
    """A headline score of a task: quoted on the leaderboard with a 95% interval.

    Attributes:
        name: Key in score files (``strict_f1``).
        description: One line for reports.
        score_fn: Maps summed per-unit statistics to the score (None when undefined).
        higher_is_better: False for losses (Hamming loss).
    """

    name: str
    description: str
    score_fn: Callable[[np.ndarray], float | None]
    higher_is_better: bool = True


@dataclass(frozen=True)
class ScoringContext:
    """What the scorer must know about the system being scored.

    Attributes:
        labels: Entity labels the system can produce (None: all of the task's labels).
        merged_labels: Groups of labels the system cannot tell apart, e.g. (("GPE", "LOC"),).
    """

    labels: tuple[str, ...] | None = None
    merged_labels: tuple[tuple[str, ...], ...] = ()


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Element-wise ``numerator / denominator``, NaN where the denominator is zero."""
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


@with_batch(lambda sums: _divide(2 * sums[:, 0], 2 * sums[:, 0] + sums[:, 1] + sums[:, 2]))
def f1_of_counts(stats: np.ndarray) -> float | None:
    """F1 from summed ``(tp, fp, fn)``; None when all three are zero.

    Example:
        >>> f1_of_counts(np.array([2.0, 1.0, 1.0]))
        0.6666666666666666
    """
    tp, fp, fn = stats[0], stats[1], stats[2]
    denominator = 2 * tp + fp + fn
    return None if denominator == 0 else float(2 * tp / denominator)


@with_batch(lambda sums: _divide(sums[:, 0], sums[:, 1]))
def ratio_of(stats: np.ndarray) -> float | None:
    """``stats[0] / stats[1]`` (accuracy-like); None when the denominator is zero."""
    return None if stats[1] == 0 else float(stats[0] / stats[1])


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
    headlines: ClassVar[tuple[Headline, ...]]
    #: Record type of a predictions file; may be lighter than the gold's (a QA prediction needs
    #: only ``id`` and ``answers``). None: the same as :attr:`record_type`.
    prediction_type: ClassVar[type | None] = None
    #: Labels (or types) a record can carry, for per-label rows; empty when the task has none.
    labels: ClassVar[tuple[str, ...]] = ()
    #: Closed value sets of the records' fields, for documentation (``{"labels": LABELS}``).
    vocabularies: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: What one row of :meth:`unit_stats` is, in words ("line", "paragraph unit", "question").
    unit_name: ClassVar[str] = "line"
    #: Record fields holding lists of ``[start, end)`` spans (remapped by robustness variants).
    span_list_fields: ClassVar[tuple[str, ...]] = ()
    #: Record fields of free text that a variant converts with the text (``answers``, ``unit``).
    free_text_fields: ClassVar[tuple[str, ...]] = ()
    #: Fields of one export row -> their meaning, for the dataset card (fields not listed get none).
    fields: ClassVar[dict[str, str]] = {}
    #: Guideline rules that :meth:`agreement` attributes disagreements to: rule key -> description.
    agreement_rules: ClassVar[dict[str, str]] = {}

    @property
    def primary(self) -> Headline:
        """The headline score that ranks systems (the first one)."""
        return self.headlines[0]

    @property
    def version(self) -> str:
        """The version part of :attr:`name` (``ner.v1`` -> ``v1``)."""
        return self.name.rpartition(".")[2]

    @property
    def pred_type(self) -> type:
        """The record type of predictions (:attr:`prediction_type`, else :attr:`record_type`)."""
        return self.prediction_type or self.record_type

    # -- matching and reporting -------------------------------------------------------------

    def record_key(self, record: Any) -> Any:
        """A hashable key under which a prediction counts as exactly right for a gold record.

        Used by ``compare`` (items one system got right and the other did not). Default: the
        span. Tasks override it (entities add the label; QA uses the question id).
        """
        return (record.start, record.end)

    def correct_keys(self, doc: Document, pred: Sequence[Any]) -> set[Any]:
        """The :meth:`record_key` of every gold record of ``doc`` that ``pred`` gets right.

        Used by ``compare`` (items one system got right and the other did not). Default: the
        gold keys that some prediction's key equals; a task whose scorer judges answers (QA)
        overrides it with its scorer's verdicts.
        """
        gold = {self.record_key(g) for g in doc.gold.get(self.key, [])}
        return gold & {self.record_key(p) for p in pred}

    def describe(self, doc: Document, record: Any) -> dict[str, Any]:
        """One gold record as JSON-able data for reports (``compare``, error views).

        Default: its fields, plus ``text`` (the span's surface) when it has a span and no text;
        reports show ``text`` as the record's short form.
        """
        from benchmark.schema import record_to_dict

        out = record_to_dict(record)
        if "text" not in out and isinstance(out.get("start"), int) and isinstance(out.get("end"), int):
            out["text"] = doc.text[out["start"] : out["end"]]
        return out

    def label_rows(self, score: dict[str, Any]) -> dict[str, Any]:
        """Per-label / per-type rows of one run's score of this task, for the leaderboard.

        ``score`` is the task's entry in ``scores.json``; the result maps a row name to a value
        (None: not applicable). Default: none.
        """
        return {}

    def html_view(self, doc: Document, predictions: Sequence[Any], details: Any, errors: Any) -> str:
        """One run's result on one document as an HTML fragment, for the leaderboard page.

        Built from the scorer's own output for this document (``details`` and ``errors``, as
        :meth:`details` and :meth:`errors` return them and the run record stores them), never by
        matching again; ``predictions`` are the run's records, in the order they were scored.
        Every string from a model or a file must be escaped
        (:func:`benchmark.render.widgets.esc`). Default: the details and errors as tables.
        """
        from benchmark.render.widgets import data_view

        return data_view(details, errors)

    def agreement(self, doc_a: Document, doc_b: Document) -> dict[str, Any]:
        """Agreement of two annotations of one document on this task (see :mod:`benchmark.agreement`).

        Returns ``{"scores": {...}, "disagreements": [Disagreement, ...]}``. Default: set
        agreement on :meth:`record_key`.
        """
        from benchmark.metrics.agreement import key_set_agreement

        return key_set_agreement(self, doc_a, doc_b)

    def agreement_lines(self, scores: dict[str, Any]) -> list[str]:
        """The text report of this task's :meth:`agreement` scores (``scripts/agreement.py``).

        Default: the counts and the set F1 of :func:`~benchmark.metrics.agreement.key_set_agreement`.
        """
        from benchmark.metrics.agreement import fmt_set

        lines = [f"{self.key}: {scores.get('n_a')} records in A, {scores.get('n_b')} in B"]
        if "records" in scores:
            lines.append(f"  records       {fmt_set(scores['records'])}")
        return lines

    def agreement_item(self, record: dict[str, Any]) -> str:
        """One record of a disagreement on one line (a JSON-able record dict); default: every field."""
        from benchmark.metrics.agreement import fmt_record

        return fmt_record(record)

    def bio_spans(self, doc: Document) -> list[tuple[int, int, str]] | None:
        """Labelled ``[start, end)`` gold spans for the character-level BIO (CoNLL) export.

        None (the default): the task has no BIO column.
        """
        return None

    def variant_fixed_fields(self, record: Any) -> tuple[str, ...]:
        """Fields of :attr:`free_text_fields` that a variant must leave as they are in this record.

        For example answers from a fixed vocabulary (是/否) that the scorer reads as written.
        Default: none.
        """
        return ()

    def furniture_spans(self, doc: Document) -> list[tuple[int, int]] | None:
        """Spans of page furniture (masthead, byline) that the ``no_furniture`` variant deletes.

        None (the default): this task cannot tell; ``[]``: it can, and there is none.
        """
        return None

    def inputs(self, doc: Document) -> Any:
        """What an adapter needs besides the text to do this task (default: nothing).

        For example the questions of a reading-comprehension task; never the gold answers.
        Adapters find it in ``InputDocument.task_inputs[task.key]``.
        """
        return None

    def sort_key(self, record: Any) -> Any:
        """Order of records in prediction files (default: by span)."""
        return (record.start, record.end)

    def rows(self, doc: Document) -> list[dict[str, Any]]:
        """Rows of this task's split in the Hugging Face export (default: one per gold record)."""
        from benchmark.schema import record_to_dict

        return [{"doc_id": doc.id} | record_to_dict(r) for r in doc.gold.get(self.key, [])]

    def counts(self, doc: Document) -> dict[str, dict[str, int]]:
        """Tables of counts for annotations/README.md: title -> {value: count} (default: none)."""
        return {}

    def units(self, doc: Document) -> list[tuple[int, int]]:
        """Resampling units of the bootstrap for this task (default: every non-empty line)."""
        return doc.lines()

    def unit_keys(self, doc: Document) -> list[Any]:
        """A stable key for each row of :meth:`unit_stats`: a ``(start, end)`` span (mapped
        through a variant's offsets) or an identifier (kept as is). Default: :meth:`units`."""
        return [tuple(u) for u in self.units(doc)]

    @abstractmethod
    def details(self, doc: Document, pred: Sequence[Any], ctx: ScoringContext) -> dict[str, Any]:
        """Every score of this task for one document, as JSON-able data (counts included)."""

    @abstractmethod
    def unit_stats(self, doc: Document, pred: Sequence[Any], ctx: ScoringContext) -> dict[str, np.ndarray]:
        """Per-unit sufficient statistics for each available headline (rows = :meth:`units`).

        Summing the rows and applying the headline's ``score_fn`` gives the score; the
        bootstrap resamples rows. A headline missing from the dict is not applicable to
        this system (for example a coarse score for a system that merges no labels).
        """

    def errors(self, doc: Document, pred: Sequence[Any], ctx: ScoringContext) -> dict[str, Any]:
        """Error analysis as data (default: none)."""
        return {}

    # -- LLM prompt and answers (see benchmark.tasks.llm) -----------------------------------

    @property
    def has_llm_prompt(self) -> bool:
        """Whether the task can be asked of an LLM (it overrides :meth:`llm_requests`)."""
        return type(self).llm_requests is not Task.llm_requests

    def llm_prompt(self, *, unit: str = "line", style: str = "chat") -> LLMPrompt:
        """The prompt (instructions, few-shot examples, user template) for ``unit`` and ``style``.

        ``unit``: ``line`` (one request per line, paragraph unit or question) or ``document``;
        ``style``: ``chat`` (system + user messages) or ``completion`` (a few-shot text for base
        models). Default: the task has no LLM prompt (ValueError).
        """
        raise ValueError(f"task {self.key} has no LLM prompt")

    def llm_requests(self, doc: Any, *, unit: str = "line", style: str = "chat") -> list[LLMRequest]:
        """The requests of one :class:`~benchmark.adapters.base.InputDocument` (never the gold).

        Each request's ``target`` is the row of :meth:`unit_stats` it answers (-1: the whole
        document). Default: the task has no LLM prompt (ValueError).
        """
        raise ValueError(f"task {self.key} has no LLM prompt")

    def llm_parse(self, doc: Any, request: LLMRequest, text: str) -> ParsedUnit:
        """Read one answer: records or string mentions, or ``failure`` (the unit is left out,
        never guessed). Default: the task has no LLM prompt (ValueError)."""
        raise ValueError(f"task {self.key} has no LLM prompt")

    def llm_reference(self, doc: Document, request: LLMRequest) -> str | None:
        """The answer the prompt asks for, written from the gold (bridges use it as the target;
        parsed back it scores as the gold). Default: None (no reference answer)."""
        return None

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
