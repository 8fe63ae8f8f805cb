"""Import entity annotations from Label Studio or doccano into a document's entities.jsonl.

Usage:
    python scripts/import_annotations.py PATH --format labelstudio|doccano --document ID
        [--out FILE] [--root annotations] [--annotator WHO] [--offsets utf16|codepoint] [--force]

PATH is a Label Studio JSON export (a list of tasks) or a doccano JSONL export. Nothing is
written when the import has a problem (each is printed with its location; exit status 1);
see benchmark/bridges/importing.py.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from benchmark.cli._argparse import OneLineParser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, import, write; return the exit status."""
    parser = OneLineParser(prog="import_annotations.py", description=__doc__.splitlines()[0])
    parser.add_argument("path", help="the Label Studio JSON export or doccano JSONL export")
    parser.add_argument("--format", required=True, choices=("labelstudio", "doccano"))
    parser.add_argument("--document", required=True, help="document id (a folder under --root)")
    parser.add_argument("--root", help="the annotations folder (default: the repository's annotations/)")
    parser.add_argument("--out", help="where to write (default: ROOT/ID/entities.jsonl)")
    parser.add_argument("--annotator", help="Label Studio: this annotator's annotation (id, e-mail, name)")
    parser.add_argument("--offsets", choices=("utf16", "codepoint"), default="utf16",
                        help="Label Studio: unit of the offsets (default utf16, JavaScript's)")  # fmt: skip
    parser.add_argument("--force", action="store_true", help="replace an existing output file")
    args = parser.parse_args(argv)
    from benchmark.bridges.importing import DEFAULT_ROOT, run

    return run(args.path, args.format, args.document, root=args.root or DEFAULT_ROOT, out=args.out,
               annotator=args.annotator, offsets=args.offsets, force=args.force)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
