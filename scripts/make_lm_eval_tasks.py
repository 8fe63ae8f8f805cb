"""Write lm-evaluation-harness tasks (zh_ie_qa, zh_ie_ner) that score with the benchmark's scorer.

Usage: python scripts/make_lm_eval_tasks.py [--out build/lm_eval_tasks] [--annotations annotations]

Then: lm_eval --model hf --model_args pretrained=MODEL --include_path build/lm_eval_tasks \\
          --tasks zh_ie_qa,zh_ie_ner [--apply_chat_template]
"""

import argparse
import sys

from benchmark.bridges.lm_eval import GROUP, NER_TASK, QA_TASK, write_lm_eval_tasks
from benchmark.validate import DEFAULT_ROOT, load_corpus


def main(argv: list[str] | None = None) -> int:
    """Validate the gold, write the task folder and print how to run it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        default="build/lm_eval_tasks",
        help="output folder, for the tasks alone (default: %(default)s)",
    )
    parser.add_argument("--annotations", default=str(DEFAULT_ROOT), help="gold root (default: annotations/)")
    args = parser.parse_args(argv)
    out = write_lm_eval_tasks(load_corpus(args.annotations), args.out)
    print(out)
    print(
        f"run: lm_eval --model hf --model_args pretrained=MODEL --include_path {out} "
        f"--tasks {QA_TASK},{NER_TASK} --apply_chat_template   (or --tasks {GROUP})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
