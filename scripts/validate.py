"""Validate the gold under annotations/ (no arguments) or a predictions file or folder.

Usage:
    python scripts/validate.py                       # every gold document
    python scripts/validate.py PATH [--document ID]  # predictions: a file named like a
                                                      # gold file, or a folder of them
Exit status 0 when everything is valid, 1 with one line per problem otherwise.
"""

import sys

from benchmark.cli.validate import main

if __name__ == "__main__":
    sys.exit(main())
