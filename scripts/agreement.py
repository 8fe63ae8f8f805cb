"""Inter-annotator agreement of two annotation folders of the same document.

Usage:
    python scripts/agreement.py A B [--json] [--max-items N]

A and B are document folders (text.txt, meta.json and the task files), for example the
gold ``annotations/sichuan-police-2020`` and a second annotator's independent pass
``annotations/second-pass/sichuan-police-2020``. Both must hold the same text (same
sha256). Prints each task's agreement figures (span F1, Cohen's kappa, ...) and every
disagreement grouped by the guideline rule it most likely falls under (see
benchmark/agreement.py). Validation problems of either folder are printed as warnings; the
comparison still runs. Exit status 0, or 2 when the folders cannot be compared.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from benchmark.cli._argparse import OneLineParser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, compare the folders, print the report; return the exit status."""
    parser = OneLineParser(prog="agreement.py", description=__doc__.splitlines()[0])
    parser.add_argument("a", help="annotation folder of pass A (the reference)")
    parser.add_argument("b", help="annotation folder of pass B (same document)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--max-items", type=int, default=None, help="disagreements shown per rule")
    args = parser.parse_args(argv)
    from benchmark.agreement import run

    return run(args.a, args.b, as_json=args.json, max_items=args.max_items)


if __name__ == "__main__":
    sys.exit(main())
