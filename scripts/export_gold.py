"""Export the gold as a Hugging Face DatasetDict and as character-level BIO (CoNLL).

Usage: python scripts/export_gold.py [--out build/export]
"""


import sys

from benchmark.cli._argparse import OneLineParser
from benchmark.export import export_all
from benchmark.validate import load_corpus


def main() -> int:
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="build/export", help="output folder (default: build/export)")
    args = parser.parse_args()
    for kind, path in export_all(load_corpus(), args.out).items():
        print(f"{kind}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
