"""Evaluate models on the benchmark; see ``python scripts/evaluate.py --help``."""

import sys

from benchmark.cli.evaluate import main

if __name__ == "__main__":
    sys.exit(main())
