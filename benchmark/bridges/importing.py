"""Import span annotations from Label Studio or doccano into a document's gold file.

The spans are converted to the benchmark's code-point offsets and checked like the gold
(surface equals the text, known labels, no overlap) by the bridge. With no problem the
records are written to the span task's gold file (:func:`label_studio.span_task`, today
``entities.jsonl``) of ROOT/ID, or to ``out``; an existing file is only replaced with
``force``. Otherwise every problem is printed, naming the task / result (or line / span) and
the field, and nothing is written. ``scripts/import_annotations.py`` is its command line.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from benchmark.bridges import doccano, label_studio
from benchmark.bridges.label_studio import ImportResult, OffsetUnit
from benchmark.schema import write_jsonl
from benchmark.validate import DEFAULT_ROOT, load_document

FORMATS = ("labelstudio", "doccano")


def convert(
    path: str | Path,
    fmt: str,
    doc_id: str,
    *,
    root: str | Path = DEFAULT_ROOT,
    out: str | Path | None = None,
    annotator: str | None = None,
    offsets: OffsetUnit = "utf16",
) -> tuple[ImportResult, Path | None]:
    """Run the chosen bridge on the export; the result and the output path (None: no such document)."""
    if fmt not in FORMATS:
        raise ValueError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    folder = Path(root) / doc_id
    doc, _ = load_document(folder)  # problems of the existing gold do not block an import
    if doc is None:
        return ImportResult(problems=[]), None
    if fmt == "labelstudio":
        result = label_studio.import_annotations(Path(path), doc, annotator=annotator, offsets=offsets)
    else:
        result = doccano.import_annotations(Path(path), doc)
    return result, Path(out) if out else folder / label_studio.span_task().gold_file


def run(
    path: str | Path,
    fmt: str,
    doc_id: str,
    *,
    root: str | Path = DEFAULT_ROOT,
    out: str | Path | None = None,
    annotator: str | None = None,
    offsets: OffsetUnit = "utf16",
    force: bool = False,
) -> int:
    """Convert, validate, write; print what happened; return the exit status.

    2 on a user mistake or invalid annotations (one line per problem; nothing is written).
    """
    result, target = convert(path, fmt, doc_id, root=root, out=out, annotator=annotator, offsets=offsets)
    if target is None:
        print(f"error: no document {doc_id!r} under {root} (text.txt missing)", file=sys.stderr)
        return 2
    for note in result.notes:
        print(f"note: {note}")
    if result.problems:
        for problem in result.problems:
            print(problem)
        print(f"{len(result.problems)} problem(s); nothing written")
        return 2
    if target.exists() and not force:
        print(f"error: {target} exists; pass --force to replace it (or --out elsewhere)", file=sys.stderr)
        return 2
    write_jsonl(target, result.records)
    per_label = ", ".join(
        f"{label} {n}" for label, n in sorted(Counter(e.label for e in result.records).items())
    )
    print(f"wrote {len(result.records)} records to {target} ({per_label or 'none'})")
    print(f"next: .venv/bin/python scripts/validate.py --root {root}")
    return 0
