"""Train a small character-level BERT tagger on the MSRA NER corpus, from scratch.

The output folder defaults to models/msra-char-bert, the committed model, which a run
replaces: pass --output elsewhere to keep it. The code and its documentation are in
benchmark/training/msra.py.

GPU run (about 2-4 minutes on one H100)::

    python scripts/train_msra_tagger.py --output models/msra-char-bert

CPU smoke test (a minute or two)::

    python scripts/train_msra_tagger.py --layers 1 --hidden 64 --heads 2 --max-steps 300 \\
        --train-limit 6000 --test-limit 500 --batch-size 32 --output /tmp/msra-smoke
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path

if importlib.util.find_spec("benchmark") is None:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and train; return the exit status."""
    from benchmark.training.msra import parser, train

    return train(parser().parse_args(argv), argv)


if __name__ == "__main__":
    sys.exit(main())
