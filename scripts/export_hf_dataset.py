"""Export the gold as a local Hugging Face dataset folder (Parquet per task + dataset card).

Usage: python scripts/export_hf_dataset.py [--out build/hf_dataset] [--annotations annotations]

Load it offline with ``datasets.load_dataset("build/hf_dataset", "qa", split="test")``
(configs: ner, numeric, topics, qa).
"""


import sys

from benchmark.bridges.hf_datasets import export_dataset
from benchmark.cli._argparse import OneLineParser
from benchmark.validate import DEFAULT_ROOT, load_corpus


def main(argv: list[str] | None = None) -> int:
    """Validate the gold, export it and print the folder."""
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="build/hf_dataset", help="output folder (default: build/hf_dataset)")
    parser.add_argument("--annotations", default=str(DEFAULT_ROOT), help="gold root (default: annotations/)")
    args = parser.parse_args(argv)
    print(export_dataset(load_corpus(args.annotations), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
