"""See ``python scripts/compare.py --help``."""

import sys

from benchmark.cli.compare import main

if __name__ == "__main__":
    sys.exit(main())
