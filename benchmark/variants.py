"""Robustness variants of a document: the same article, edited, with every gold offset carried over.

A variant is a full :class:`~benchmark.document.Document` (text, meta, headings, the gold of
every task) that the validator accepts. Each variant is an *edit*: a new text plus an index
map ``new_index[old_index]`` (None for a deleted character), built once. One generic mapper
(:func:`remap_document`) then moves every record of every task through that map using the
record type's ``SPANS`` (:func:`~benchmark.schema.span_fields`) and the task's
``span_list_fields``; span surfaces are re-derived as ``new_text[start:end]``, never searched
for; the task's ``free_text_fields`` are converted like the text (except the fields
``Task.variant_fixed_fields`` keeps for a record). A record with a span on deleted text is
dropped and counted. Nothing here names a task.

Variants (:data:`VARIANTS`):

``traditional``
    Simplified -> Traditional with OpenCC (``s2t``), one character at a time, so the length
    and every offset are unchanged. Every character is converted, numerals included
    (2.3万余人 -> 2.3萬餘人): the quantity normalizer reads the Traditional forms too.
``fullwidth``
    ASCII punctuation inside Chinese sentences becomes its full-width form (``,`` -> U+FF0C),
    one character for one, so offsets are unchanged; numbers (98.78%, 2.3万) and Latin words
    (APP, A7) are untouched (:func:`fullwidth_text`).
``no_furniture``
    The lines of page furniture (the spans the document's tasks declare with
    ``Task.furniture_spans``: the topics gold's ``masthead`` and ``byline`` units) are
    deleted with their line breaks, so are whitespace-only lines and the blank lines left
    doubled by the deletions; every later offset shifts left.
``shuffled``
    The paragraph units (every non-empty line that is not a heading) are permuted with a
    seeded permutation among their line slots; headings, blank lines and line breaks stay in
    place, so the heading skeleton is kept and the paragraphs under it are shuffled.

Example:
    >>> from benchmark.document import Document
    >>> from benchmark.schema import Entity
    >>> doc = Document("d", "标题\\n四川,成都\\n", {"id": "d"}, gold={"ner": [Entity(6, 8, "成都", "GPE")]})
    >>> new = make_variant(doc, "fullwidth")
    >>> new.id, new.text == "标题\\n四川\\uff0c成都\\n", new.gold["ner"]
    ('d~fullwidth', True, [Entity(start=6, end=8, text='成都', label='GPE')])
"""

from __future__ import annotations

import inspect
import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from benchmark.document import Document, sha256_text
from benchmark.schema import atomic_write_text, record_to_dict, span_fields, write_json, write_jsonl
from benchmark.tasks import TASKS, Task, get_task

IndexMap = Sequence[int | None]
"""``new_index[old_index]``: where each character of the old text went (None: deleted)."""

SEPARATOR = "~"
"""Between a document id and a variant name in a variant's id (``sichuan-police-2020~shuffled``)."""

NORMALIZER_CHARS = "约余万亿两"
"""The numeral characters whose Traditional forms the normalizer also reads (for ``keep=``)."""


def _free_text_fields(task: Task | None, record: Any) -> tuple[str, ...]:
    """The task's free-text fields to convert in one record (less those it keeps as written).

    They are converted like the text by character-converting variants (answers in Traditional
    characters, units as written in the converted surface); questions stay as asked.
    """
    if task is None:
        return ()
    fixed = set(task.variant_fixed_fields(record))
    return tuple(name for name in task.free_text_fields if name not in fixed)


@dataclass(frozen=True)
class Edit:
    """An edited text and where each old character went.

    Attributes:
        text: The new text.
        index: ``new_index[old_index]`` for every character of the old text (None: deleted).
        convert: How free text (answers, units, the title) is converted for this text;
            the identity for edits that only move or delete characters.
    """

    text: str
    index: IndexMap
    convert: Callable[[str], str] = lambda s: s


@dataclass
class RemapReport:
    """What remapping did: records dropped per task (their span was on deleted text)."""

    dropped: dict[str, int] = field(default_factory=dict)


def identity_index(length: int) -> list[int | None]:
    """The index map of an edit that changes characters in place.

    Example:
        >>> identity_index(3)
        [0, 1, 2]
    """
    return list(range(length))


def map_span(index: IndexMap, start: int, end: int) -> tuple[int, int] | None:
    """Map ``[start, end)`` through an index map; None if any of its characters was deleted.

    Raises:
        ValueError: If the span's characters are no longer contiguous (an edit split it).

    Example:
        >>> map_span([None, None, 0, 1, 2], 2, 4), map_span([None, None, 0, 1, 2], 1, 3)
        ((0, 2), None)
    """
    targets = index[start:end]
    if len(targets) != end - start or any(t is None for t in targets):
        return None
    if any(b != a + 1 for a, b in pairwise(targets)):  # type: ignore[operator]
        raise ValueError(f"span [{start}, {end}) is split by the edit: {list(targets)}")
    first, last = targets[0], targets[-1]
    assert first is not None and last is not None
    return first, last + 1


def _convert_free(value: Any, convert: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return convert(value)
    if isinstance(value, tuple):
        return tuple(_convert_free(v, convert) for v in value)
    return value  # None, numbers


def remap_record(record: Any, edit: Edit, task: Task | None = None) -> Any | None:
    """One record through an edit: spans mapped, surfaces re-derived, free text converted.

    Args:
        record: A record dataclass (its offset pairs declared in ``SPANS``).
        edit: The edit.
        task: The record's task: its ``span_list_fields`` are mapped and its
            ``free_text_fields`` converted. None for records of no task (heading lines).

    Returns:
        The moved record, or None if one of its spans touches deleted text.

    Example:
        >>> from benchmark.schema import Entity
        >>> remap_record(Entity(2, 4, "四川", "GPE"), Edit("四川", [None, None, 0, 1]))
        Entity(start=0, end=2, text='四川', label='GPE')
    """
    changes: dict[str, Any] = {}
    for lo, hi, surface in span_fields(type(record)):
        span = map_span(edit.index, getattr(record, lo), getattr(record, hi))
        if span is None:
            return None
        changes[lo], changes[hi] = span
        if surface is not None:
            changes[surface] = edit.text[span[0] : span[1]]
    for name in task.span_list_fields if task is not None else ():
        pairs = []
        for pair in getattr(record, name):
            span = map_span(edit.index, pair[0], pair[1]) if len(pair) == 2 else None
            if span is None:
                return None
            pairs.append(span)
        changes[name] = tuple(pairs)
    for name in _free_text_fields(task, record):
        changes[name] = _convert_free(getattr(record, name), edit.convert)
    return replace(record, **changes)


def remap_records(records: Sequence[Any], edit: Edit, task: Task | None = None) -> tuple[list[Any], int]:
    """Every record through :func:`remap_record`; returns the kept records and the number dropped."""
    kept = [r for r in (remap_record(rec, edit, task) for rec in records) if r is not None]
    return kept, len(records) - len(kept)


def remap_document(doc: Document, edit: Edit, *, new_id: str) -> tuple[Document, RemapReport]:
    """A copy of ``doc`` on the edited text, every task's gold and the headings remapped.

    Records are re-sorted in each task's file order (``Task.sort_key``); meta ``id``,
    ``text_sha256``, ``headings`` and ``title`` (converted as free text) are updated.
    """
    if len(edit.index) != len(doc.text):
        raise ValueError(f"the index map has {len(edit.index)} entries for {len(doc.text)} characters")
    report = RemapReport()
    gold: dict[str, list[Any]] = {}
    for key, records in doc.gold.items():
        task = get_task(key) if key in TASKS else None
        kept, dropped = remap_records(records, edit, task)
        if task is not None:
            kept.sort(key=task.sort_key)
        gold[key] = kept
        report.dropped[key] = dropped
    headings, dropped = remap_records(doc.headings, edit)
    headings.sort(key=lambda h: (h.start, h.end))
    report.dropped["headings"] = dropped
    meta = dict(doc.meta)
    meta["id"] = new_id
    meta["text_sha256"] = sha256_text(edit.text)
    meta["headings"] = [record_to_dict(h) for h in headings]
    if isinstance(meta.get("title"), str):
        meta["title"] = edit.convert(meta["title"])
    return Document(new_id, edit.text, meta, gold=gold, headings=headings), report


# ------------------------------------------------------------------------------------ traditional


@lru_cache(maxsize=1)
def _s2t() -> Any:
    try:
        import opencc
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the traditional variant needs OpenCC: pip install opencc==1.4.2") from exc
    return opencc.OpenCC("s2t")


@cache
def to_traditional_char(ch: str) -> str:
    """OpenCC ``s2t`` on one character alone (the character itself if s2t gives more or less).

    Example:
        >>> to_traditional_char("报"), to_traditional_char("公")
        ('報', '公')
    """
    out = _s2t().convert(ch)
    return out if len(out) == 1 else ch


def traditional_text(text: str, *, keep: str = "") -> str:
    """Convert ``text`` character by character (length unchanged); characters in ``keep`` stay.

    Example:
        >>> traditional_text("华西都市报2.3万余人")
        '華西都市報2.3萬餘人'
        >>> traditional_text("2.3万余人", keep=NORMALIZER_CHARS)
        '2.3万余人'
    """
    return "".join(ch if ch in keep else to_traditional_char(ch) for ch in text)


def traditional(doc: Document, *, keep: str = "") -> Document:
    """Simplified -> Traditional, character by character with OpenCC ``s2t``; offsets unchanged.

    Phrase-level conversion could change lengths, so each character is converted alone.
    Surfaces are re-derived from the new text; answers, units and the title are converted the
    same way; questions stay as asked (Simplified).

    Args:
        doc: The document.
        keep: Characters left as they are (none by default; ``benchmark.normalize`` reads the
            Traditional numerals 約 餘 萬 億 兩 too, so the numeric gold still validates).

    Example:
        >>> doc = Document("d", "华西都市报", {"id": "d"})
        >>> traditional(doc).text
        '華西都市報'
    """
    convert = lambda s: traditional_text(s, keep=keep)  # noqa: E731
    new = convert(doc.text)
    changed = sum(a != b for a, b in zip(doc.text, new, strict=True))
    edit = Edit(new, identity_index(len(doc.text)), convert)
    return _finish(doc, "traditional", edit, seed=None, changes={"characters_changed": changed})


# ------------------------------------------------------------------------------------- fullwidth

SENTENCE_PUNCTUATION = ",;:?!"
"""Converted when at least one neighbour is Chinese (a comma before 2018年 is still Chinese)."""

OTHER_PUNCTUATION = "()-."
"""Converted only between two Chinese characters (报-封 yes; -A7, 98.78 no)."""


def _chinese(ch: str) -> bool:
    """A CJK ideograph or a punctuation mark of Chinese text (“ ” 、 。 — … ·, full-width forms)."""
    if not ch:
        return False
    name = unicodedata.name(ch, "")
    return (
        name.startswith(("CJK ", "FULLWIDTH ", "IDEOGRAPHIC "))
        or "\u3000" <= ch <= "\u303f"
        or ch in "“”‘’—…·•"
    )


def _ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def fullwidth_text(text: str) -> str:
    """ASCII punctuation inside Chinese text to full-width, one character for one.

    A mark in :data:`SENTENCE_PUNCTUATION` is converted when a neighbour is Chinese, one in
    :data:`OTHER_PUNCTUATION` when both are; never between two ASCII letters or digits (a
    number such as 1,000 or 98.78, a Latin word). ``%`` and spaces are never converted.

    Example:
        >>> out = fullwidth_text("战,2018年;华西都市报-封面新闻 -A7 98.78%,1,000")
        >>> out == "战\\uff0c2018年\\uff1b华西都市报\\uff0d封面新闻 -A7 98.78%,1,000"
        True
    """
    chars = list(text)
    for i, ch in enumerate(text):
        if ch not in SENTENCE_PUNCTUATION and ch not in OTHER_PUNCTUATION:
            continue
        left = text[i - 1] if i > 0 else ""
        right = text[i + 1] if i + 1 < len(text) else ""
        if _ascii_alnum(left) and _ascii_alnum(right):
            continue
        chinese = (_chinese(left), _chinese(right))
        if any(chinese) if ch in SENTENCE_PUNCTUATION else all(chinese):
            chars[i] = chr(ord(ch) + 0xFEE0)  # the FULLWIDTH form of an ASCII character
    return "".join(chars)


def fullwidth_punctuation(doc: Document) -> Document:
    """ASCII punctuation in Chinese sentences to full-width (:func:`fullwidth_text`); offsets unchanged.

    Example:
        >>> fullwidth_punctuation(Document("d", "过去,在98.78%", {"id": "d"})).text == "过去\\uff0c在98.78%"
        True
    """
    new = fullwidth_text(doc.text)
    changed = sum(a != b for a, b in zip(doc.text, new, strict=True))
    edit = Edit(new, identity_index(len(doc.text)), fullwidth_text)
    return _finish(doc, "fullwidth", edit, seed=None, changes={"characters_changed": changed})


# ---------------------------------------------------------------------------------- line helpers


def _raw_lines(text: str) -> list[tuple[int, str, str]]:
    """``(start, body, line break)`` of every line of ``text`` (the last may have no break)."""
    out = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        out.append((offset, body, raw[len(body) :]))
        offset += len(raw)
    return out


def _line_of(lines: Sequence[tuple[int, str, str]], position: int) -> int:
    for number, (start, body, brk) in enumerate(lines):
        if start <= position < start + len(body) + len(brk):
            return number
    raise ValueError(f"offset {position} is past the end of the text")


# ---------------------------------------------------------------------------------- no_furniture


def furniture_spans(doc: Document) -> list[tuple[int, int]]:
    """The page-furniture spans the document's tasks declare (``Task.furniture_spans``).

    Raises:
        ValueError: If no task of the document can tell which lines are furniture.
    """
    found: list[tuple[int, int]] | None = None
    for key in TASKS.names():
        spans = get_task(key).furniture_spans(doc) if key in doc.gold else None
        if spans is not None:
            found = (found or []) + list(spans)
    if found is None:
        tellers = [k for k in TASKS.names() if type(get_task(k)).furniture_spans is not Task.furniture_spans]
        raise ValueError(
            f"{doc.id}: no gold of a task that tells which lines are furniture "
            f"(tasks that can: {', '.join(tellers) or 'none'})"
        )
    return found


def without_page_furniture(doc: Document) -> Document:
    """Delete the lines of page furniture (:func:`furniture_spans`); offsets shift.

    Deleted: every line holding a furniture span (with its line break), every
    whitespace-only line, and the empty lines that the deletions leave at the start of the
    text or right after another empty line. Records on deleted text are dropped.

    Raises:
        ValueError: If no task of the document says which lines are furniture (the built-in
            ones: the topics gold, whose masthead and byline units are).

    Example:
        >>> from benchmark.schema import Paragraph
        >>> doc = Document("d", "报头\\n\\n正文\\n", {"id": "d"}, gold={"topics": [
        ...     Paragraph(0, 2, "masthead", ("page_furniture",)), Paragraph(4, 6, "lead", ("overview",))]})
        >>> new = without_page_furniture(doc)
        >>> new.text, new.gold["topics"]
        ('正文\\n', [Paragraph(start=0, end=2, section='lead', topics=('overview',))])
    """
    lines = _raw_lines(doc.text)
    furniture = {_line_of(lines, start) for start, _ in furniture_spans(doc)}
    index: list[int | None] = [None] * len(doc.text)
    parts: list[str] = []
    length = 0
    last_blank: bool | None = None  # None: nothing kept yet
    deleted_since = False
    for number, (start, body, brk) in enumerate(lines):
        blank = not body.strip()
        drop = (
            number in furniture
            or (blank and body != "")
            or (blank and (last_blank is None or (last_blank and deleted_since)))
        )
        if drop:
            deleted_since = True
            continue
        for k in range(len(body) + len(brk)):
            index[start + k] = length + k
        parts.append(body + brk)
        length += len(body) + len(brk)
        last_blank, deleted_since = blank, False
    new = "".join(parts)
    edit = Edit(new, index)
    return _finish(
        doc, "no_furniture", edit, seed=None, changes={"characters_removed": len(doc.text) - len(new)}
    )


# -------------------------------------------------------------------------------------- shuffled


def shuffled_paragraphs(doc: Document, seed: int = 0) -> Document:
    """Permute the paragraph units (non-empty, non-heading lines) among their line slots.

    Each unit's line moves whole (its indentation with it) into another unit's slot;
    headings, blank lines and line breaks stay where they are. The permutation comes from
    ``random.Random(seed)`` and is never the identity when there are two units or more.
    No span crosses a line break, so every span moves with its line.

    Example:
        >>> from benchmark.schema import Heading
        >>> doc = Document("d", "标题\\n甲\\n乙乙\\n丙", {"id": "d"}, headings=[Heading(0, 2, "标题")])
        >>> shuffled_paragraphs(doc, seed=1).text
        '标题\\n乙乙\\n丙\\n甲'
    """
    lines = _raw_lines(doc.text)
    headings = {(h.start, h.end) for h in doc.headings}
    slots = []
    for number, (start, body, _) in enumerate(lines):
        stripped = body.strip()
        lead = len(body) - len(body.lstrip())
        if stripped and (start + lead, start + lead + len(stripped)) not in headings:
            slots.append(number)
    order = list(slots)
    rng = random.Random(seed)
    rng.shuffle(order)
    while len(slots) > 1 and order == slots:
        rng.shuffle(order)
    source = dict(zip(slots, order, strict=True))  # slot line -> the old line whose body lands there
    new_starts, parts, length = [], [], 0
    for number, (_, _, brk) in enumerate(lines):
        moved = lines[source.get(number, number)][1]
        new_starts.append(length)
        parts.append(moved + brk)
        length += len(moved) + len(brk)
    destination = {old: slot for slot, old in source.items()}
    index: list[int | None] = [None] * len(doc.text)
    for number, (start, body, brk) in enumerate(lines):
        target = new_starts[destination.get(number, number)]
        for k in range(len(body)):
            index[start + k] = target + k
        body_end = new_starts[number] + len(lines[source.get(number, number)][1])
        for k in range(len(brk)):
            index[start + len(body) + k] = body_end + k
    edit = Edit("".join(parts), index)
    moved = sum(1 for slot, old in source.items() if slot != old)
    return _finish(doc, "shuffled", edit, seed=seed, changes={"units_moved": moved})


# -------------------------------------------------------------------------------------- registry

VARIANTS: dict[str, Callable[..., Document]] = {
    "traditional": traditional,
    "fullwidth": fullwidth_punctuation,
    "no_furniture": without_page_furniture,
    "shuffled": shuffled_paragraphs,
}
"""Variant name -> function; a function with a ``seed`` parameter gets :func:`make_variant`'s seed."""


def variant_id(doc_id: str, name: str) -> str:
    """The id (and folder name) of a variant: ``f"{doc_id}~{name}"``.

    Example:
        >>> variant_id("sichuan-police-2020", "shuffled")
        'sichuan-police-2020~shuffled'
    """
    return f"{doc_id}{SEPARATOR}{name}"


def _finish(doc: Document, name: str, edit: Edit, *, seed: int | None, changes: dict[str, int]) -> Document:
    """Remap the gold and record the variant in meta (``variant_of``, ``variant``, ...)."""
    new, report = remap_document(doc, edit, new_id=variant_id(doc.id, name))
    new.meta["variant_of"] = doc.id
    new.meta["variant"] = name
    new.meta["variant_seed"] = seed
    new.meta["variant_changes"] = changes | {"records_dropped": report.dropped}
    from benchmark.origins import ORIGIN_KEY, carried_origin

    new.meta[ORIGIN_KEY] = carried_origin(doc, edit.index)  # each line's original span (leave-one-out)
    new.source_index = list(edit.index)
    return new


def make_variant(doc: Document, name: str, *, seed: int = 0) -> Document:
    """The variant ``name`` of ``doc`` (id ``f"{doc.id}~{name}"``); ``seed`` for seeded variants.

    Raises:
        KeyError: For an unknown variant name.

    Example:
        >>> make_variant(Document("d", "甲\\n乙", {"id": "d"}), "shuffled", seed=0).meta["variant_seed"]
        0
    """
    if name not in VARIANTS:
        raise KeyError(f"unknown variant {name!r}; known: {', '.join(VARIANTS)}")
    function = VARIANTS[name]
    if "seed" in inspect.signature(function).parameters:
        return function(doc, seed=seed)
    return function(doc)


def write_variant(doc: Document, folder: str | Path) -> Path:
    """Write a document as a normal document folder ``folder/<doc.id>/``; returns that folder.

    ``benchmark.validate.load_document`` accepts the folder: its name is the document's id,
    ``meta.json`` holds the (updated) meta, and each task's gold goes to the task's file.
    """
    target = Path(folder) / doc.id
    target.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target / "text.txt", doc.text)
    meta = dict(doc.meta) | {"id": doc.id, "text_sha256": sha256_text(doc.text)}
    meta["headings"] = [record_to_dict(h) for h in doc.headings]
    write_json(target / "meta.json", meta)
    for key, records in doc.gold.items():
        write_jsonl(target / get_task(key).gold_file, records)
    return target


def write_variants(
    corpus: Sequence[Document], out: str | Path, names: Sequence[str] | None = None, *, seed: int = 0
) -> list[tuple[Path, Document, list[str]]]:
    """Write every variant of every document under ``out`` and validate each folder.

    Returns ``(folder, variant, problems)`` per variant, problems as located strings.
    """
    from benchmark.validate import load_document

    written = []
    for doc in corpus:
        for name in names or list(VARIANTS):
            variant = make_variant(doc, name, seed=seed)
            folder = write_variant(variant, Path(out))
            _, problems = load_document(folder)
            written.append((folder, variant, [str(p) for p in problems]))
    return written
