"""The same GGUF two ways: the llama.cpp server (``openai`` adapter) vs ``hf-generative``
reading the file through transformers' ``gguf_file=`` (dequantized to float32, on CPU).

Both answer the same requests: one task on the article's first lines, the few-shot
completion prompt (Gemma 3 270M is a base model), greedy, the same token budget. Prints each
backend's load time, wall time per request, generated tokens per second and how many answers
are identical. Needs the ``llm`` extra (``bash scripts/setup.sh --llm``).

    .venv/bin/python perf/bench_llm_gguf.py [--task ner] [--lines 10] [--max-tokens 128]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from benchmark.adapters import InputDocument, get_adapter
from benchmark.cli._config import REPO, read_specs
from benchmark.llm_server import LlamaServer, resolve_gguf
from benchmark.tasks import get_task
from benchmark.validate import load_corpus


def requests(task_key: str, n_lines: int) -> list:
    """The task's completion-style requests for the article's first ``n_lines`` lines."""
    doc = InputDocument.from_document(load_corpus()[0])
    doc = dataclasses.replace(doc, lines=doc.lines[:n_lines], units=doc.units[:n_lines])
    return list(get_task(task_key).llm_requests(doc, unit="line", style="completion"))[:n_lines]


def run(adapter, reqs: list) -> tuple[float, list]:
    started = time.perf_counter()
    answers = adapter.complete(reqs)
    return time.perf_counter() - started, answers


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--task", default="ner")
    p.add_argument("--lines", type=int, default=10)
    p.add_argument("--max-tokens", type=int, default=128)
    args = p.parse_args()
    (spec,) = read_specs(REPO / "configs" / "llm-gemma.yaml")
    cfg = dataclasses.replace(spec.serve, port=0)
    reqs = requests(args.task, args.lines)
    results = {}
    t0 = time.perf_counter()
    with LlamaServer(cfg) as server:
        load = time.perf_counter() - t0
        options = spec.options | {"base_url": server.base_url, "cache_dir": "", "max_tokens": args.max_tokens}
        adapter = get_adapter("openai").from_config(options)
        adapter.load()
        results["llama.cpp server (openai)"] = (load, *run(adapter, reqs))
    gguf = str(resolve_gguf(cfg))
    t0 = time.perf_counter()
    hf = get_adapter("hf-generative").from_config(
        {"model": gguf, "prompt": "completion", "max_new_tokens": args.max_tokens, "device": "cpu"}
    )
    hf.load()
    results["hf-generative (gguf_file=)"] = (time.perf_counter() - t0, *run(hf, reqs))
    texts = {}
    print(f"{len(reqs)} {args.task} requests, completion prompt, max {args.max_tokens} new tokens")
    for name, (load, wall, answers) in results.items():
        tokens = sum(a.meta.get("completion_tokens", 0) for a in answers)
        texts[name] = [a.text for a in answers]
        print(f"{name:<28} load {load:6.1f} s  wall {wall:7.1f} s  {wall / len(reqs):5.2f} s/request  "
              f"{tokens / wall:6.1f} generated tokens/s")  # fmt: skip
    a, b = texts.values()
    same = sum(x == y for x, y in zip(a, b, strict=True))
    slow = results["hf-generative (gguf_file=)"][1] / results["llama.cpp server (openai)"][1]
    print(f"identical answers: {same}/{len(reqs)}; hf-generative is {slow:.1f}x slower than the server")


if __name__ == "__main__":
    main()
