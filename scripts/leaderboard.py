"""See ``python scripts/leaderboard.py --help``."""

import sys

from benchmark.cli.leaderboard import main

if __name__ == "__main__":
    sys.exit(main())
