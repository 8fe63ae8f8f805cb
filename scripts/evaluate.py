"""Evaluate models on the benchmark; see ``.venv/bin/python scripts/evaluate.py --help``.

Exit status: 0 every run ok, 1 some run failed (recorded), 2 a user mistake (one line on stderr).
"""

import sys

from benchmark.cli.evaluate import main

if __name__ == "__main__":
    sys.exit(main())
