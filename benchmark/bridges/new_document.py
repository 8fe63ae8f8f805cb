"""Scaffold a new document folder for annotation, optionally with model pre-annotations.

:func:`scaffold` writes ROOT/NEW_ID/ with text.txt (the file copied byte for byte), meta.json
(text sha256, guidelines version, today's date, provenance "not yet annotated", headings to
fill in) and the Label Studio labelling config labelstudio_config.xml; no gold file (a
document has no gold until a person annotates it). Label Studio tasks go to
tasks.labelstudio.json, or, with a pre-annotating adapter, to preannotations.labelstudio.json
where the adapter's spans are *predictions* (model_version = the adapter's name) for the
annotator to review, never annotations. ``doccano=True`` also writes a doccano JSONL file.
An existing folder is refused unless ``force``. ``scripts/new_document.py`` is its command
line; see docs/annotating-a-document.md.
"""

from __future__ import annotations

import datetime
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmark.bridges import doccano, label_studio
from benchmark.document import GUIDELINES_VERSION, META_FIELDS, Document, sha256_text
from benchmark.schema import Entity, atomic_write_text, write_json
from benchmark.validate import DEFAULT_ROOT

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CONFIG_FILE = "labelstudio_config.xml"
TASKS_FILE = "tasks.labelstudio.json"
PREANNOTATIONS_FILE = "preannotations.labelstudio.json"
DOCCANO_FILE = "preannotations.doccano.jsonl"


class ScaffoldError(RuntimeError):
    """The scaffold cannot be made; the message says why."""


def read_text(path: Path) -> tuple[bytes, str]:
    """The file's bytes and their UTF-8 decoding (the benchmark's offsets index the decoded text)."""
    raw = path.read_bytes()
    try:
        return raw, raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScaffoldError(f"{path}: not UTF-8 ({exc}); convert it first") from None


def make_meta(doc_id: str, text: str, *, title: str | None, source: str, license: str) -> dict[str, Any]:
    """meta.json of a document not yet annotated, fields in the order of ``META_FIELDS``.

    Example:
        >>> meta = make_meta("d", "\\n标题\\n正文", title=None, source="", license="")
        >>> meta["title"], meta["provenance"], meta["headings"], list(meta) == list(META_FIELDS)
        ('标题', 'not yet annotated', [], True)
    """
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    meta = {
        "id": doc_id,
        "title": title if title is not None else first_line,
        "source": source,
        "license": license,
        "text_sha256": sha256_text(text),
        "guidelines_version": GUIDELINES_VERSION,
        "annotation_date": datetime.date.today().isoformat(),
        "provenance": "not yet annotated",
        "headings": [],
    }
    return {name: meta[name] for name in META_FIELDS}


def preannotate(spec: str, doc: Document) -> tuple[str, list[Entity], list[str]]:
    """Run an adapter on the new text for the span task (:func:`label_studio.span_task`).

    Returns the adapter's name, its spans and warnings.

    String mentions are grounded like the harness does (:func:`benchmark.runner.ground`)
    and every record is checked at the boundary (:func:`benchmark.runner.accept`).
    """
    from benchmark.adapters import InputDocument, get_adapter
    from benchmark.adapters.options import parse_model_spec
    from benchmark.registry import UnknownNameError
    from benchmark.runner import MalformedOutput, accept, ground

    task = label_studio.span_task()
    try:
        name, options = parse_model_spec(spec)
        cls = get_adapter(name)
    except (UnknownNameError, ValueError) as exc:
        raise ScaffoldError(f"--preannotate: {exc}") from None
    if task.key not in cls.tasks:
        raise ScaffoldError(
            f"--preannotate: adapter {name!r} does not do {task.key} (it does {', '.join(cls.tasks)})"
        )
    if cls.reads in ("gold", "other-units-gold"):
        raise ScaffoldError(
            f"--preannotate: adapter {name!r} reads the gold, which a new document does not have"
        )
    ok, hint = cls.available()
    if not ok:
        raise ScaffoldError(f"--preannotate: {hint}")
    inp = InputDocument.from_document(doc)
    try:
        adapter = cls.from_config(options)
        adapter.load()
        [prediction] = adapter.predict(task.key, [inp])
    except Exception as exc:  # any adapter failure is reported, and nothing is written
        raise ScaffoldError(f"--preannotate: {name} failed: {exc}") from exc
    records = list(prediction.records)
    warnings = list(prediction.problems)
    if prediction.mentions:
        grounded, info = ground(inp, prediction)
        records += grounded
        warnings += [f"ungrounded mention {m}" for m in info["ungrounded_mentions"]]
    try:
        return adapter.name, accept(task, doc, records), warnings
    except MalformedOutput as exc:
        raise ScaffoldError("--preannotate: invalid output:\n" + "\n".join(exc.problems)) from None


def _prepare_folder(folder: Path, force: bool) -> list[str]:
    """Refuse an existing folder without ``force``; warnings about gold files it already holds."""
    if folder.exists() and not force:
        raise ScaffoldError(f"{folder} exists; pass --force to write into it")
    from benchmark.tasks import TASKS, get_task

    gold = [get_task(k).gold_file for k in TASKS.names() if (folder / get_task(k).gold_file).exists()]
    return (
        [f"{folder} already holds gold file(s) {', '.join(gold)}; check them against the new text"]
        if gold
        else []
    )


def scaffold(
    doc_id: str,
    text_path: str | Path,
    *,
    root: str | Path = DEFAULT_ROOT,
    title: str | None = None,
    source: str = "",
    license: str = "",
    preannotate_with: str | None = None,
    doccano_file: bool = False,
    force: bool = False,
) -> tuple[Path, list[str], list[str]]:
    """Write the folder ROOT/DOC_ID; return it, the files written and warnings.

    Raises:
        ScaffoldError: For a bad id, a text that is not UTF-8, an existing folder without
            ``force``, or a pre-annotating adapter that cannot run.
    """
    if not ID_PATTERN.match(doc_id):
        raise ScaffoldError(f"{doc_id!r}: a document id is letters, digits, '.', '_' and '-' (a folder name)")
    raw, text = read_text(Path(text_path))
    folder = Path(root) / doc_id
    warnings = _prepare_folder(folder, force)
    meta = make_meta(doc_id, text, title=title, source=source, license=license)
    doc = Document(doc_id, text, meta)
    entities: list[Entity] = []
    model = None
    if preannotate_with:  # before writing anything, so a failing adapter leaves no folder
        model, entities, found = preannotate(preannotate_with, doc)
        warnings += found
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "text.txt").write_bytes(raw)
    write_json(folder / "meta.json", meta)
    atomic_write_text(folder / CONFIG_FILE, label_studio.labeling_config())
    written = ["text.txt", "meta.json", CONFIG_FILE]
    if model is not None:
        tasks = label_studio.export_tasks(doc, entities, kind="predictions", model_name=model)
        tasks_file = PREANNOTATIONS_FILE
    else:
        tasks, tasks_file = [{"data": label_studio.export_tasks(doc, [], kind="gold")[0]["data"]}], TASKS_FILE
    atomic_write_text(folder / tasks_file, json.dumps(tasks, ensure_ascii=False, indent=2) + "\n")
    written.append(tasks_file)
    if doccano_file:
        atomic_write_text(folder / DOCCANO_FILE, doccano.export_jsonl(doc, entities))
        written.append(DOCCANO_FILE)
    return folder, written, warnings


def next_steps(folder: Path, doc_id: str, root: str | Path, written: Sequence[str]) -> str:
    """What to do after scaffolding (printed)."""
    tasks = next(f for f in written if f.endswith(".labelstudio.json"))
    root_arg = f" --root {root}" if str(root) != str(DEFAULT_ROOT) else ""
    lines = [
        "Next steps (docs/annotating-a-document.md):",
        "  1. Fill in meta.json: title, source, license, and the heading lines (headings).",
        f"  2. Label Studio: create a project with the config {folder / CONFIG_FILE},",
        f"     import {folder / tasks}, annotate every entity against annotations/GUIDELINES.md.",
    ]
    if tasks == PREANNOTATIONS_FILE:
        lines += [
            "     The pre-annotations are suggestions: check every one. GUIDELINES.md section 0 says",
            "     never to keep an evaluated tool's output: record the pre-annotation in meta.json",
            "     provenance and treat that adapter's scores on this document as biased.",
        ]
    lines += [
        "  3. Export the project as JSON and import it:",
        "     python scripts/import_annotations.py EXPORT.json --format labelstudio",
        f"         --document {doc_id}{root_arg}",
        "     (doccano: --format doccano with its JSONL export).",
        "  4. Write numeric_facts.jsonl, paragraphs.jsonl (and qa.jsonl) by hand; set provenance.",
        f"  5. .venv/bin/python scripts/validate.py{root_arg}",
        "  6. .venv/bin/python scripts/annotation_stats.py (regenerates annotations/README.md)",
    ]
    return "\n".join(lines)


def run(doc_id: str, text_path: str | Path, *, root: str | Path = DEFAULT_ROOT, **options: Any) -> int:
    """Scaffold (:func:`scaffold` options), print the files written and the next steps; the exit status."""
    try:
        folder, written, warnings = scaffold(doc_id, text_path, root=root, **options)
    except (ScaffoldError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"warning: {warning}")
    print(f"scaffolded {folder}: {', '.join(written)}")
    print(next_steps(folder, doc_id, root, written))
    return 0
