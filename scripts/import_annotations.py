"""Import entity annotations from Label Studio or doccano into a document's entities.jsonl.

Usage:
    python scripts/import_annotations.py PATH --format labelstudio|doccano --document ID
        [--out FILE] [--root annotations] [--annotator WHO] [--offsets utf16|codepoint] [--force]

PATH is a Label Studio JSON export (a list of tasks) or a doccano JSONL export. The spans
are converted to the benchmark's code-point offsets and checked like the gold (surface
equals the text, known labels, no overlap). With no problem the entities are written to
FILE (default: ROOT/ID/entities.jsonl; an existing file is only replaced with --force);
otherwise every problem is printed, naming the task / result (or line / span) and the
field, nothing is written, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from benchmark.bridges import doccano, label_studio
from benchmark.bridges.label_studio import ImportResult
from benchmark.schema import write_jsonl
from benchmark.validate import DEFAULT_ROOT, load_document


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="import_annotations.py", description=__doc__.splitlines()[0])
    parser.add_argument("path", help="the Label Studio JSON export or doccano JSONL export")
    parser.add_argument("--format", required=True, choices=("labelstudio", "doccano"))
    parser.add_argument("--document", required=True, help="document id (a folder under --root)")
    parser.add_argument("--root", default=str(DEFAULT_ROOT), help="the annotations folder")
    parser.add_argument("--out", help="where to write entities.jsonl (default: ROOT/ID/entities.jsonl)")
    parser.add_argument("--annotator", help="Label Studio: this annotator's annotation (id, e-mail, name)")
    parser.add_argument(
        "--offsets",
        choices=("utf16", "codepoint"),
        default="utf16",
        help="Label Studio: unit of the export's offsets (default utf16, JavaScript's)",
    )
    parser.add_argument("--force", action="store_true", help="replace an existing output file")
    return parser


def convert(args: argparse.Namespace) -> tuple[ImportResult, Path | None]:
    """Run the chosen bridge on the export; the result and the output path (None if no document)."""
    folder = Path(args.root) / args.document
    doc, _ = load_document(folder)  # problems of the existing gold do not block an import
    if doc is None:
        return ImportResult(problems=[]), None
    if args.format == "labelstudio":
        result = label_studio.import_annotations(Path(args.path), doc, annotator=args.annotator,
                                                 offsets=args.offsets)  # fmt: skip
    else:
        result = doccano.import_annotations(Path(args.path), doc)
    return result, Path(args.out) if args.out else folder / "entities.jsonl"


def main(argv: Sequence[str] | None = None) -> int:
    """Convert, validate, write; print what happened; return the exit status."""
    args = _parser().parse_args(argv)
    result, out = convert(args)
    if out is None:
        print(f"error: no document {args.document!r} under {args.root} (text.txt missing)", file=sys.stderr)
        return 1
    for note in result.notes:
        print(f"note: {note}")
    if result.problems:
        for problem in result.problems:
            print(problem)
        print(f"{len(result.problems)} problem(s); nothing written")
        return 1
    if out.exists() and not args.force:
        print(f"error: {out} exists; pass --force to replace it (or --out elsewhere)", file=sys.stderr)
        return 1
    write_jsonl(out, result.records)
    per_label = ", ".join(
        f"{label} {n}" for label, n in sorted(Counter(e.label for e in result.records).items())
    )
    print(f"wrote {len(result.records)} entities to {out} ({per_label or 'none'})")
    print(f"next: python scripts/validate.py --root {args.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
