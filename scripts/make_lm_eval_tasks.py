"""Write lm-evaluation-harness tasks (zh_ie_<task>, one per task with an LLM prompt) scored by the benchmark.

Usage: python scripts/make_lm_eval_tasks.py [--out build/lm_eval_tasks] [--annotations annotations]
                                            [--prompt chat|completion]

Then: lm_eval --model hf --model_args pretrained=MODEL --include_path build/lm_eval_tasks \\
          --tasks zh_ie [--apply_chat_template]
"""


import sys

from benchmark.bridges.lm_eval import GROUP, llm_task_keys, task_name, write_lm_eval_tasks
from benchmark.cli._argparse import OneLineParser
from benchmark.schema import SchemaError
from benchmark.validate import DEFAULT_ROOT, load_corpus


def main(argv: list[str] | None = None) -> int:
    """Validate the gold, write the task folder and print how to run it."""
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        default="build/lm_eval_tasks",
        help="output folder, for the tasks alone (default: %(default)s)",
    )
    parser.add_argument("--annotations", default=str(DEFAULT_ROOT), help="gold root (default: annotations/)")
    parser.add_argument(
        "--prompt",
        choices=("chat", "completion"),
        default="chat",
        help="chat (lm_eval --apply_chat_template) or completion (base models); default: %(default)s",
    )
    args = parser.parse_args(argv)
    try:
        docs = load_corpus(args.annotations)
        out = write_lm_eval_tasks(docs, args.out, style=args.prompt)
    except SchemaError as exc:
        problems = f"{len(exc.problems)} problem(s); scripts/validate.py lists them"
        where = f"--annotations {args.annotations}"
        print(f"error: {where}: the gold does not validate ({problems})", file=sys.stderr)
        return 2
    except ValueError as exc:  # no document with gold of a task that has an LLM prompt
        print(f"error: --annotations {args.annotations}: {exc}", file=sys.stderr)
        return 2
    print(out)
    chat = " --apply_chat_template" if args.prompt == "chat" else ""
    tasks = ",".join(task_name(k) for k in llm_task_keys(docs))
    print(f"run: lm_eval --model hf --model_args pretrained=MODEL --include_path {out} --tasks {GROUP}{chat}")
    print(f"     (one group of: {tasks})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
