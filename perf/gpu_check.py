"""GPU check: the MSRA tagger through ``hf-ner`` on cuda and cpu, plus a tiny generative model.

1. Runs the trained tagger (``models/msra-char-bert`` by default) on the article through the
   ``hf-ner`` adapter on cpu and on cuda (float32), checks that the predictions are equal,
   and prints characters per second on both (and float16 on cuda, for information).
2. Builds a tiny randomly initialised Qwen2 causal LM (2 layers, small vocabulary), greedily
   generates a few tokens on cpu and on cuda with transformers directly, and checks that the
   outputs are equal.

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


def check_generative(has_cuda: bool, new_tokens: int = 8) -> bool:
    """Greedy generation of a tiny random Qwen2 equal on cpu and cuda; prints tokens per second."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    config = Qwen2Config(
        vocab_size=512,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=128,
        tie_word_embeddings=False,
        initializer_range=0.2,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
    )
    model = Qwen2ForCausalLM(config).eval()
    prompt = torch.tensor([[1, 17, 42, 99, 300, 7, 256, 128]])
    outputs = {}
    for device in ["cpu", "cuda"] if has_cuda else ["cpu"]:
        model.to(device)
        ids = prompt.to(device)
        with torch.inference_mode():
            model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=2, do_sample=False)
            began = time.perf_counter()
            out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=new_tokens,
                                 min_new_tokens=new_tokens, do_sample=False)  # fmt: skip
            seconds = time.perf_counter() - began
        outputs[device] = out[0, prompt.shape[1] :].tolist()
        print(f"generative {device}: {outputs[device]} ({new_tokens / seconds:,.1f} tokens/s)")
    if not has_cuda:
        print("SKIP generative on cuda: no GPU")
        return True
    if outputs["cpu"] != outputs["cuda"]:
        print("MISMATCH generative cpu vs cuda")
        return False
    print("OK greedy generation equal on cpu and cuda")
    return True


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
