"""GPU check: the MSRA tagger through ``hf-ner`` on cuda and cpu, plus a tiny generative model.

1. Runs the trained tagger (``models/msra-char-bert`` by default) on the article through the
   ``hf-ner`` adapter on cpu and on cuda (float32), checks that the predictions are equal,
   and prints characters per second on both (and float16 on cuda, for information).
2. Builds a tiny randomly initialised Qwen2 causal LM (1 layer, a character vocabulary and a chat
   template, the builder of tests/llm) and runs it through the ``hf-generative`` adapter on the
   article's entity task on cpu and on cuda; the parsed answers and problems must be identical.

Exit status 0 when both checks pass (cuda missing: the cpu half runs and the exit status is 2).
One command, well under 3 minutes::

    python perf/gpu_check.py [--model models/msra-char-bert] [--repeat 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("benchmark") is None:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmark.adapters import InputDocument, get_adapter  # noqa: E402
from benchmark.tasks import get_task  # noqa: E402
from benchmark.validate import load_document, surface_problems  # noqa: E402


def tag(model: str, doc: InputDocument, device: str, dtype: str, repeat: int) -> tuple[list[Any], float, Any]:
    """Predictions on ``doc`` and characters per second (mean over ``repeat`` runs after a warm-up)."""
    import torch

    adapter = get_adapter("hf-ner").from_config({"model": model, "device": device, "dtype": dtype})
    adapter.load()
    [pred] = adapter.predict("ner", [doc])  # warm-up
    if device == "cuda":
        torch.cuda.synchronize()
    began = time.perf_counter()
    for _ in range(repeat):
        [pred] = adapter.predict("ner", [doc])
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = (time.perf_counter() - began) / repeat
    return pred.records, len(doc.text) / seconds, pred


def article_input() -> InputDocument:
    """The article as an adapter sees it."""
    gold_doc, problems = load_document(ROOT / "annotations" / "sichuan-police-2020")
    if gold_doc is None:
        raise SystemExit("cannot load the article: " + "; ".join(map(str, problems)))
    return InputDocument.from_document(gold_doc)


def check_tagger(model: str, repeat: int, has_cuda: bool) -> bool:
    """Tagger predictions equal on cpu and cuda; prints throughput."""
    gold_doc, problems = load_document(ROOT / "annotations" / "sichuan-police-2020")
    if gold_doc is None:
        print("cannot load the article:", *problems, sep="\n  ")
        return False
    doc = InputDocument.from_document(gold_doc)
    cpu, cpu_rate, cpu_pred = tag(model, doc, "cpu", "float32", repeat)
    found = surface_problems(gold_doc.text, cpu, file="cpu")
    found += get_task("ner").check(gold_doc, cpu, file="cpu", gold=False)
    labels = sorted({e.label for e in cpu})
    print(f"tagger cpu float32: {len(cpu)} entities {labels}, {cpu_rate:,.0f} chars/s "
          f"({len(gold_doc.text)} chars, {cpu_pred.info['windows']} windows)")
    try:
        from benchmark.metrics import strict_counts

        micro, _ = strict_counts([(e.start, e.end, e.label) for e in gold_doc.gold.get("ner", [])],
                                 [(e.start, e.end, e.label) for e in cpu])
        print(f"tagger vs article gold (strict, no label merge): P {micro.precision} R {micro.recall} "
              f"F1 {micro.f1}")
    except (ImportError, ValueError) as exc:  # pragma: no cover - informational only
        print("no strict score:", exc)
    if found:
        print("INVALID records:", *found[:10], sep="\n  ")
        return False
    if not has_cuda:
        print("SKIP tagger on cuda: no GPU")
        return True
    cuda, cuda_rate, _ = tag(model, doc, "cuda", "float32", repeat)
    print(f"tagger cuda float32: {len(cuda)} entities, {cuda_rate:,.0f} chars/s")
    half, half_rate, _ = tag(model, doc, "cuda", "float16", repeat)
    print(f"tagger cuda float16: {len(half)} entities, {half_rate:,.0f} chars/s; "
          f"{len(set(half) ^ set(cpu))} records differ from float32 (informational)")
    if cuda != cpu:
        print("MISMATCH tagger cpu vs cuda:", sorted(set(cpu) ^ set(cuda))[:20])
        return False
    print("OK tagger predictions equal on cpu and cuda")
    return True


def check_generative(has_cuda: bool, new_tokens: int = 24) -> bool:
    """A tiny random Qwen2 through the ``hf-generative`` adapter: equal answers on cpu and cuda.

    The model is built locally (random weights, a character tokenizer with a chat template,
    the same builder as tests/llm) and run on the article's entity task line by line; the
    parsed mentions, the problems and the raw answers must be identical on both devices.
    """
    import tempfile

    sys.path.insert(0, str(ROOT / "tests" / "llm"))
    from llm_fakes import build_tiny_lm

    from benchmark.adapters import get_adapter

    doc = article_input()
    prompts = [p.read_text(encoding="utf-8") for p in (ROOT / "benchmark" / "tasks" / "prompts").iterdir()]
    task = get_task("ner")
    requests = task.llm_requests(doc)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_tiny_lm(Path(tmp) / "tiny-qwen2", [doc.text, *prompts])
        for device in ["cpu", "cuda"] if has_cuda else ["cpu"]:
            adapter = get_adapter("hf-generative").from_config(
                {"model": str(folder), "device": device, "max_new_tokens": new_tokens}
            )
            adapter.load()
            began = time.perf_counter()
            # the raw answers (a random model's answers all fail to parse, which fails predict())
            answers = [c.text or "" for c in adapter.complete(requests)]
            seconds = time.perf_counter() - began
            parsed = [task.llm_parse(doc, r, a) for r, a in zip(requests, answers, strict=True)]
            mentions = [m for p in parsed for m in p.mentions]
            failures = [p.failure for p in parsed if p.failure]
            results[device] = (answers, mentions, failures)
            print(f"hf-generative {device}: {len(mentions)} mentions, {len(failures)} unreadable answers, "
                  f"{len(doc.text) / seconds:,.0f} chars/s")  # fmt: skip
    if not has_cuda:
        print("SKIP generative on cuda: no GPU")
        return True
    same = results["cpu"] == results["cuda"]
    print("OK hf-generative equal on cpu and cuda" if same else "MISMATCH hf-generative cpu vs cuda")
    return same


def main() -> int:
    """Run both checks; 0 when they pass on cpu and cuda, 2 without a GPU, 1 on a mismatch."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "msra-char-bert"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import torch

    has_cuda = torch.cuda.is_available()
    name = torch.cuda.get_device_name(0) if has_cuda else "none"
    print(f"torch {torch.__version__}, cuda device: {name}, cpu threads {torch.get_num_threads()}")
    began = time.perf_counter()
    ok = check_tagger(args.model, args.repeat, has_cuda) if Path(args.model).exists() else False
    if not Path(args.model).exists():
        print(f"MISSING tagger model at {args.model} (train it with scripts/train_msra_tagger.py)")
    ok = check_generative(has_cuda) and ok
    print(f"done in {time.perf_counter() - began:.1f} s: {'PASS' if ok else 'FAIL'}")
    return 1 if not ok else (0 if has_cuda else 2)


if __name__ == "__main__":
    sys.exit(main())
