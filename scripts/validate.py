"""Validate the gold under annotations/ (no arguments), one document folder, or predictions.

Usage:
    .venv/bin/python scripts/validate.py                        # every gold document
    .venv/bin/python scripts/validate.py annotations/DOC_ID/    # one document folder, as gold
    .venv/bin/python scripts/validate.py PATH [--document ID]   # predictions: a file named like
                                                                 # a gold file, or a folder of them
A folder holding meta.json is validated as gold (text, meta and every task meta.json lists as
annotated); anything else as predictions. At most 50 problems are printed, then a count of the
rest. Exit status 0 when everything is valid, 1 when a problem was found, 2 for a user mistake
(a path that does not exist, a wrong option), on one line.
"""

import sys

from benchmark.cli.validate import main

if __name__ == "__main__":
    sys.exit(main())
