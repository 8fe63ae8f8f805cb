"""The adapter contract every model goes through (rule tools, taggers, LLMs).

An adapter is a class registered with :func:`register_adapter`. It declares its
name and version, the tasks it supports, for entities the benchmark labels it can
produce (and which of them it cannot tell apart, e.g. a tagger whose ``LOC`` covers
both GPE and LOC), its typed options, and the optional packages it needs. It is
constructed with its options, then ``load()`` once, then ``predict()`` per task
on a batch of :class:`InputDocument` (text and units, never the gold).

``predict`` returns one :class:`Prediction` per document: records in the gold
format (with offsets), or, for systems that return strings, :class:`Mention`
objects that the harness grounds to offsets. Bad tool output caught at the
boundary (an offset that does not match the text, an unknown native tag) goes into
``Prediction.problems`` and is reported in the run's errors, never scored.
"""

from __future__ import annotations

import importlib.util
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from benchmark.adapters.options import NoOptions, parse_options
from benchmark.document import Document
from benchmark.origins import Origin
from benchmark.registry import Registry


@dataclass(frozen=True)
class InputDocument:
    """What an adapter sees: the text and its units, never the gold.

    Attributes:
        id: Document id.
        text: The full text (offsets index into it).
        units: Paragraph units ``(start, end)`` (for topics: predict one record per unit).
        lines: Every non-empty line ``(start, end)``, headings included (for string-returning
            systems: the unit a mention belongs to is an index into ``lines``).
        task_inputs: Per task key, what that task gives adapters besides the text
            (``Task.inputs``, e.g. questions); tasks that need nothing are absent.
        origin: For a robustness variant, its corpus original and each line's original span
            (:class:`benchmark.origins.Origin`, from the variant's meta); None otherwise.
    """

    id: str
    text: str
    units: tuple[tuple[int, int], ...]
    lines: tuple[tuple[int, int], ...]
    task_inputs: dict[str, Any] = field(default_factory=dict)
    origin: Origin | None = None

    @classmethod
    def from_document(cls, doc: Document) -> InputDocument:
        """Strip a gold document down to what an adapter may see."""
        from benchmark.tasks import TASKS, get_task

        inputs = {}
        for key in TASKS.names():
            value = get_task(key).inputs(doc) if key in doc.gold else None
            if value is not None:
                inputs[key] = value
        units, lines = tuple(doc.paragraph_units()), tuple(doc.lines())
        return cls(doc.id, doc.text, units, lines, inputs, Origin.from_meta(doc.meta))


@dataclass(frozen=True)
class Mention:
    """A string-returned mention, to be grounded to offsets inside line ``line_index``."""

    line_index: int
    text: str
    label: str


@dataclass
class Prediction:
    """An adapter's output for one document and one task.

    Attributes:
        doc_id: The document.
        records: Gold-format records (Entity, NumericFact, Paragraph) with offsets.
        mentions: String mentions to ground (entities from string-returning systems).
        problems: Messages about bad tool output dropped at the boundary.
        info: Free-form extras for the run record (prompt hashes, token usage...).
    """

    doc_id: str
    records: list[Any] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


#: What an adapter may declare it has seen (:attr:`Adapter.reads`), with the board's wording.
READS: dict[str, str] = {
    "nothing": "built without looking at the benchmark's documents",
    "gold": "reads the gold itself (a pipeline check, not a system)",
    "other-units-gold": "trained leave-one-out on the other units' gold of the same document",
    "article": "developed while looking at the article (rules, keyword lists or prompts tuned on it)",
}


#: What kind of system an adapter is (:attr:`Adapter.kind`), with the board's wording.
KINDS: dict[str, str] = {
    "reference": "returns the gold (a pipeline check)",
    "rules": "hand-written rules",
    "tagger": "a trained sequence tagger or part-of-speech tagger",
    "classifier": "a classifier or similarity model",
    "retrieval": "retrieval and extraction",
    "llm": "a large language model, prompted",
    "other": "not declared",
}


class AdapterUnavailable(RuntimeError):
    """An optional dependency is missing; the message is the install hint."""


class PreflightError(ValueError):
    """The user's options or server are wrong (a missing model folder, an unreachable server).

    Raised by :meth:`Adapter.preflight` before any prediction: the CLI prints the message
    (which ends with a hint) as one line, exits 2 and records no run.
    """


class Adapter(ABC):
    """Base class of every adapter.

    Class attributes:
        name: Registry name (``jieba``, ``hf-ner``...).
        version: The adapter's own version; bump it when its output can change.
        tasks: Task keys it supports (``ner``, ``numeric``, ``topics``).
        labels: Benchmark entity labels it can produce.
        merged_labels: Groups of benchmark labels it cannot tell apart, e.g.
            ``(("GPE", "LOC"),)``; the metrics then also report a coarse score.
        requires: Importable modules it needs beyond the core dependencies.
        install_hint: How to install them (shown when a module is missing).
        Options: Its options dataclass (typed, with defaults).
        offline: Whether it runs with no network and no user-supplied model,
            i.e. belongs to the default evaluation.
        reads: What the system has seen of the benchmark, one of :data:`READS`: ``nothing``
            (a system built without the article), ``gold`` (the oracle), ``other-units-gold``
            (trained leave-one-out on the other units' gold), ``article`` (rules, keyword lists
            or prompts developed while looking at the article). The board shows it as a badge.
        operational_options: Options that cannot change predictions (concurrency, retries,
            timeouts, a cache folder): recorded in the run, but left out of its id and of the
            prediction cache key, so changing them reuses the stored predictions.
    """

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    tasks: ClassVar[tuple[str, ...]] = ()
    labels: ClassVar[tuple[str, ...]] = ()
    merged_labels: ClassVar[tuple[tuple[str, ...], ...]] = ()
    requires: ClassVar[tuple[str, ...]] = ()
    install_hint: ClassVar[str] = ""
    Options: ClassVar[type] = NoOptions
    offline: ClassVar[bool] = True
    reads: ClassVar[str] = "nothing"
    operational_options: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str] = ""
    #: What kind of system it is, one of :data:`KINDS` (the board filters on it).
    kind: ClassVar[str] = "other"

    def __init__(self, options: Any = None) -> None:
        self.options = options if options is not None else self.Options()

    @classmethod
    def from_config(cls, raw: dict[str, Any] | None = None) -> Adapter:
        """Construct with options parsed and validated from a raw mapping."""
        return cls(parse_options(cls.Options, raw or {}, adapter=cls.name))

    @classmethod
    def missing_requirements(cls) -> list[str]:
        """The required modules that cannot be imported here."""
        return [m for m in cls.requires if importlib.util.find_spec(m) is None]

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """Whether the optional dependencies are installed, and the install hint if not."""
        missing = cls.missing_requirements()
        if missing:
            return False, f"{cls.name} needs {', '.join(missing)}: {cls.install_hint}"
        return True, ""

    def config(self) -> dict[str, Any]:
        """The options as a JSON-able dict for the run record (secrets never stored in options)."""
        from dataclasses import asdict, is_dataclass

        return asdict(self.options) if is_dataclass(self.options) else {}

    def identity_config(self) -> dict[str, Any]:
        """The options that can change predictions (:meth:`config` minus ``operational_options``)."""
        return {k: v for k, v in self.config().items() if k not in self.operational_options}

    def preflight(self) -> None:  # noqa: B027  (optional hook)
        """Check options and reachability in seconds, before any prediction; raise
        :class:`PreflightError` with a hint on a user mistake. Not called when every task's
        predictions are reused from the run folder."""

    def load(self) -> None:  # noqa: B027  (optional hook)
        """Load models or resources (timed separately from prediction)."""

    @abstractmethod
    def predict(self, task: str, documents: Sequence[InputDocument]) -> list[Prediction]:
        """Predict ``task`` for each document, in order."""


ADAPTERS: Registry[type[Adapter]] = Registry("adapter", entry_point_group="benchmark.adapters")


def register_adapter(cls: type[Adapter]) -> type[Adapter]:
    """Class decorator: register an adapter under ``cls.name``."""
    ADAPTERS.register(cls.name)(cls)
    return cls
