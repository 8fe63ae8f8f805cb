"""The validator: gold folders and prediction files against the text and the task rules.

Every check reports a :class:`~benchmark.schema.Problem` that names the file, the
line, the field and what was expected; all problems are collected, never just
the first. ``scripts/validate.py`` is the command-line front end.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmark.document import GUIDELINES_VERSION, Document, read_meta, sha256_text
from benchmark.schema import Problem, SchemaError, read_jsonl_numbered, span_fields
from benchmark.tasks import TASKS, Task, get_task

DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "annotations"


def surface_problems(text: str, records: Sequence[Any], *, file: str) -> list[Problem]:
    """Offsets in range, surfaces equal to ``text[start:end]``, no span across a line break.

    Example:
        >>> from benchmark.schema import Entity
        >>> [str(p) for p in surface_problems("四川公安", [Entity(0, 2, "四川", "GPE"),
        ...                                            Entity(1, 3, "四川", "GPE")], file="f")]
        ["f:2: text: '四川' does not match text[1:3] = '川公'"]
    """
    problems = []
    for line, rec in enumerate(records, start=1):
        for lo, hi, surface_field in span_fields(type(rec)):
            start, end = getattr(rec, lo), getattr(rec, hi)
            if end > len(text):
                problems.append(
                    Problem(file, line, hi, f"{end} is past the end of the text ({len(text)} characters)")
                )
                continue
            if "\n" in text[start:end]:
                problems.append(Problem(file, line, lo, f"span [{start}, {end}) crosses a line break"))
            surface = getattr(rec, surface_field) if surface_field else None
            if surface is not None and surface != text[start:end]:
                problems.append(
                    Problem(
                        file,
                        line,
                        surface_field,
                        f"{surface!r} does not match text[{start}:{end}] = {text[start:end]!r}",
                    )
                )
    return problems


def check_records(doc: Document, task: Task, path: Path, *, gold: bool) -> tuple[list[Any], list[Problem]]:
    """Read one task file and run the schema, surface and task checks on it.

    A gold file is read as the task's ``record_type``, a predictions file as its ``pred_type``
    (which may need fewer fields: a QA prediction needs only ``id`` and ``answers``).
    """
    file = str(path)
    records, numbers, problems = read_jsonl_numbered(path, task.record_type if gold else task.pred_type)
    if any(p.line is None for p in problems):
        return [], problems  # unreadable file
    found = surface_problems(doc.text, records, file=file)
    found += task.check(doc, records, file=file, gold=gold)
    # Checks report record positions; map them back to line numbers in the file.
    problems += [Problem(p.file, numbers[p.line - 1], p.field, p.message) if p.line is not None else p
                 for p in found]  # fmt: skip
    return records, problems


def load_document(folder: str | Path) -> tuple[Document | None, list[Problem]]:
    """Load and validate one gold folder (text, meta, every task's gold file present)."""
    folder = Path(folder)
    text_path = folder / "text.txt"
    try:
        text = text_path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None, [Problem(str(text_path), None, None, "file not found")]
    except UnicodeDecodeError as exc:
        return None, [Problem(str(text_path), None, None, f"not UTF-8 ({exc})")]
    meta, headings, problems = read_meta(folder)
    meta_file = str(folder / "meta.json")
    if meta.get("text_sha256") not in (None, sha256_text(text)):
        problems.append(
            Problem(
                meta_file,
                None,
                "text_sha256",
                f"{meta['text_sha256']} is not the sha256 of text.txt ({sha256_text(text)})",
            )
        )
    if meta.get("id") not in (None, folder.name):
        problems.append(
            Problem(meta_file, None, "id", f"{meta['id']!r} is not the folder name {folder.name!r}")
        )
    if meta.get("guidelines_version") not in (None, GUIDELINES_VERSION):
        problems.append(
            Problem(
                meta_file,
                None,
                "guidelines_version",
                f"{meta['guidelines_version']!r}; expected {GUIDELINES_VERSION!r}",
            )
        )
    problems += surface_problems(text, headings, file=f"{meta_file} headings")
    lines = set(Document(folder.name, text, meta).lines())
    problems += [
        Problem(
            f"{meta_file} headings",
            i,
            "start",
            f"[{h.start}, {h.end}) is not a whole line without its outer whitespace",
        )
        for i, h in enumerate(headings, start=1)
        if (h.start, h.end) not in lines
    ]
    doc = Document(folder.name, text, meta, headings=headings)
    annotated, found = annotated_tasks(meta, file=meta_file)
    problems += found
    for key in TASKS.names():
        task = get_task(key)
        path = folder / task.gold_file
        if annotated is not None and key not in annotated:
            continue  # not annotated yet: its file, if any, is work in progress
        if path.exists():
            records, found = check_records(doc, task, path, gold=True)
            doc.gold[key] = records
            problems += found
        elif annotated is not None:
            problems.append(Problem(str(path), None, None, f"file not found ({key} is listed as annotated "
                                    "in meta.json)"))  # fmt: skip
    return doc, problems


def annotated_tasks(meta: dict[str, Any], *, file: str) -> tuple[list[str] | None, list[Problem]]:
    """The task keys that meta.json's ``annotated`` lists (keys or versioned names), or None without it.

    Example:
        >>> annotated_tasks({"annotated": ["ner", "qa.v2"]}, file="m")
        (['ner', 'qa'], [])
        >>> [str(p) for p in annotated_tasks({"annotated": ["nerr"]}, file="m")[1]]
        ["m: annotated: unknown task 'nerr'; known: ner, numeric, qa, topics"]
    """
    if "annotated" not in meta:
        return None, []
    value = meta["annotated"]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return [], [Problem(file, None, "annotated", f"expected a list of task keys, got {value!r:.60}")]
    keys, problems = [], []
    for item in value:
        key = item.partition(".")[0]
        if key not in TASKS.names() or (item != key and item != get_task(key).name):
            problems.append(Problem(file, None, "annotated", f"unknown task {item!r}; known: "
                                    f"{', '.join(TASKS.names())}"))  # fmt: skip
        elif key not in keys:
            keys.append(key)
    return keys, problems


def problem_report(problems: Sequence[Problem], *, limit: int = 50) -> list[str]:
    """Lines to print for ``problems``: the first ``limit``, then a count of the rest per kind.

    A kind is the file and field of a problem, so a 50 MB file with one mistake repeated on
    every line prints 50 lines and one count, not a line per record.

    Example:
        >>> found = [Problem("f", i, "label", "unknown label 'X'") for i in range(1, 5)]
        >>> problem_report(found, limit=2)
        ["f:1: label: unknown label 'X'", "f:2: label: unknown label 'X'", '... and 2 more: 2 in f (label)']
    """
    lines = [str(p) for p in problems[:limit]]
    rest = problems[limit:]
    if rest:
        kinds: dict[str, int] = {}
        for p in rest:
            kind = f"{p.file} ({p.field or 'file'})"
            kinds[kind] = kinds.get(kind, 0) + 1
        counts = ", ".join(f"{n} in {kind}" for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
        lines.append(f"... and {len(rest)} more: {counts}")
    return lines


def document_folders(root: str | Path = DEFAULT_ROOT) -> list[Path]:
    """Every document folder under ``root`` (a folder holding ``meta.json``), sorted."""
    return sorted(p.parent for p in Path(root).glob("*/meta.json"))


def load_corpus(root: str | Path = DEFAULT_ROOT, *, ids: Sequence[str] | None = None) -> list[Document]:
    """Load every document under ``root`` (or only ``ids``); raise SchemaError on any problem."""
    folders = document_folders(root)
    if ids is not None:
        known = {f.name: f for f in folders}
        missing = [i for i in ids if i not in known]
        if missing:
            raise SchemaError(
                [
                    Problem(
                        str(root), None, "documents", f"unknown document {m!r}; known: {', '.join(known)}"
                    )
                    for m in missing
                ]
            )
        folders = [known[i] for i in ids]
    docs, problems = [], []
    for folder in folders:
        doc, found = load_document(folder)
        problems += found
        if doc is not None:
            docs.append(doc)
    if problems:
        raise SchemaError(problems)
    return docs


def validate_predictions(path: str | Path, doc: Document, task: Task) -> tuple[list[Any], list[Problem]]:
    """Validate a predictions file for ``task`` on ``doc`` (gold-only rules skipped)."""
    return check_records(doc, task, Path(path), gold=False)


def task_for_file(path: Path) -> Task | None:
    """The task whose gold file name equals ``path.name`` (None if no task uses that name)."""
    for key in TASKS.names():
        task = get_task(key)
        if task.gold_file == path.name:
            return task
    return None
