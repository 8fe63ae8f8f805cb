"""``hf-ner``: any Hugging Face token-classification model (BERT-style taggers) as an NER adapter.

The model is a local folder or hub id given by the ``model`` option (there is no default, so
this adapter is not part of the offline default evaluation). Each non-empty line of the
document (:attr:`InputDocument.lines`) is one unit of prediction:

1. full-width digits and Latin letters (``０-９ Ａ-Ｚ ａ-ｚ``) are mapped to ASCII, one code
   point for one, so offsets are unchanged (``fullwidth_to_ascii``);
2. the line is tokenized by the model's *fast* tokenizer with ``return_offsets_mapping``; a
   line longer than ``max_length`` tokens is cut into windows that overlap by ``stride``
   tokens (cut here, not by the tokenizer's overflow), and every token keeps the prediction of the window
   in which it is farthest from a window edge (:func:`merge_windows`);
3. windows are run in batches (``batch_size``) on ``device``; the arg-max tag per token is
   decoded strictly (:mod:`benchmark.adapters._bio`: ill-formed chunks are dropped);
4. a span runs from its first token's start offset to its last token's end offset (outer
   whitespace trimmed) and its native type goes through the label map
   (:mod:`benchmark.adapters.label_maps`): types the map declares unsupported (CLUENER's
   ``book``) are dropped silently, types it does not know are dropped and counted in
   ``Prediction.problems``.

Labels: with a named ``label_map`` the instance's ``labels``/``merged_labels`` are set in
``__init__`` from that map. With ``label_map=auto`` they are only known once ``load()`` has
read the model's ``id2label``; until then the instance carries the class-level union.

Example:
    >>> adapter = HfTokenClassificationAdapter.from_config({"model": "models/msra", "label_map": "msra"})
    >>> adapter.labels, adapter.merged_labels
    (('PER', 'ORG', 'GPE'), (('GPE', 'LOC'),))
    >>> to_ascii("２０２０年ＡＢｃ")
    '2020年ABc'
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from benchmark.adapters._bio import SCHEMES, decode_tags, detect_scheme
from benchmark.adapters.base import Adapter, AdapterUnavailable, InputDocument, Prediction, register_adapter
from benchmark.adapters.label_maps import LABEL_MAPS, LabelMap, LabelMapError, detect_label_map
from benchmark.adapters.options import OptionError
from benchmark.schema import Entity

_FULLWIDTH = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    **{0xFF21 + i: ord("A") + i for i in range(26)},
    **{0xFF41 + i: ord("a") + i for i in range(26)},
}


def to_ascii(text: str) -> str:
    """Map full-width digits and Latin letters to ASCII; every other character is kept.

    The result has the same length as ``text`` (one code point for one), so offsets into it
    are offsets into ``text``.

    Example:
        >>> to_ascii("ＧＤＰ增长６．５％")
        'GDP增长6．5％'
    """
    return text.translate(_FULLWIDTH)


@dataclass(frozen=True)
class HfNerOptions:
    """Options of ``hf-ner``.

    Attributes:
        model: Local folder or hub id of a token-classification model with a fast tokenizer
            (required; checked at ``load()``).
        label_map: A ready map (``cluener``, ``msra``, ``ontonotes4``, ``weibo``, ``benchmark``)
            or ``auto`` (detected from the model config's ``id2label``).
        scheme: Tag scheme; ``auto`` detects it from ``id2label`` (``M-`` -> BMES, ``E-``/``S-``
            -> BIOES, else BIO).
        batch_size: Windows per forward pass (32: on CPU, batches of 16 took ~1.5x the time of 32
            for the 4-layer MSRA model, see ``perf/bench_taggers.py``).
        max_length: Tokens per window including special tokens; 0 = the model's maximum.
        stride: Tokens shared by consecutive windows of a long line (clamped to half a window).
        device: ``auto`` (cuda if available), ``cpu`` or ``cuda``.
        dtype: ``auto`` = float32; float16/bfloat16 only on a GPU.
        fullwidth_to_ascii: Map full-width digits and Latin letters to ASCII before tagging.
    """

    model: str = ""
    label_map: str = "auto"
    scheme: Literal["auto", "BIO", "BIOES", "BMES"] = "auto"
    batch_size: int = 32
    max_length: int = 0
    stride: int = 32
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = "auto"
    fullwidth_to_ascii: bool = True

    def __post_init__(self) -> None:
        if self.label_map != "auto" and self.label_map not in LABEL_MAPS:
            raise ValueError(
                f"option 'label_map': unknown map {self.label_map!r}; expected auto or one of "
                f"{', '.join(LABEL_MAPS)}"
            )
        if self.batch_size < 1:
            raise ValueError(f"option 'batch_size' must be >= 1, got {self.batch_size}")
        if self.max_length < 0:
            raise ValueError(
                f"option 'max_length' must be >= 0 (0 = the model's maximum), got {self.max_length}"
            )
        if self.stride < 0:
            raise ValueError(f"option 'stride' must be >= 0, got {self.stride}")


@dataclass(frozen=True)
class _Window:
    """One tokenized window of one line."""

    unit: int  # index into the flat list of (document, line) units
    input_ids: list[int]
    type_ids: list[int] | None
    content: list[int]  # positions (in input_ids) of the line's own tokens
    offsets: list[tuple[int, int]]  # character offsets in the line, one per content token


def merge_windows(windows: Sequence[tuple[int, Sequence[int]]]) -> list[int]:
    """Merge per-window predictions of one sequence into one prediction per token.

    Args:
        windows: ``(start, predictions)`` per window, ``start`` being the index of the
            window's first token in the whole sequence.

    Returns:
        One prediction per token of the whole sequence: each token keeps the prediction of
        the window in which it is farthest from a window edge (``min(i, n - 1 - i)`` for
        position ``i`` of ``n``); on a tie the earlier window wins.

    Example:
        >>> "".join(merge_windows([(0, "aaaaaa"), (4, "bbbbbb")]))
        'aaaaabbbbb'
        >>> "".join(merge_windows([(0, "aaaaa"), (2, "bbbbb")]))  # token 3: a tie, the earlier wins
        'aaaabbb'
    """
    total = max((start + len(preds) for start, preds in windows), default=0)
    best: list[tuple[int, Any] | None] = [None] * total
    for start, preds in windows:
        n = len(preds)
        for i, pred in enumerate(preds):
            depth = min(i, n - 1 - i)
            current = best[start + i]
            if current is None or depth > current[0]:
                best[start + i] = (depth, pred)
    if any(b is None for b in best):
        raise ValueError("windows leave a gap in the sequence")
    return [b[1] for b in best if b is not None]


def token_window_starts(n_tokens: int, size: int, stride: int) -> list[int]:
    """First token of each window of ``size`` tokens overlapping by ``stride``, covering all tokens.

    Example:
        >>> token_window_starts(300, 126, 32)
        [0, 94, 188]
        >>> token_window_starts(10, 126, 32), token_window_starts(0, 126, 32)
        ([0], [])
    """
    if n_tokens <= 0:
        return []
    step = max(1, size - stride)
    starts = [0]
    while starts[-1] + size < n_tokens:
        starts.append(starts[-1] + step)
    return starts


def window_starts(offsets: Sequence[Sequence[tuple[int, int]]], stride: int) -> list[int]:
    """The index of each window's first token in the whole sequence, from the windows' offsets.

    Consecutive windows are aligned on their shared tokens (their offsets); if no alignment is
    found the tokenizer's rule ``next start = start + length - stride`` is used.

    Example:
        >>> window_starts([[(0, 1), (1, 2), (2, 3)], [(1, 2), (2, 3), (3, 4)]], 2)
        [0, 1]
    """
    starts: list[int] = []
    for k, current in enumerate(offsets):
        if k == 0:
            starts.append(0)
            continue
        previous = offsets[k - 1]
        shift = None
        for j in range(1, len(previous) + 1):
            shared = previous[j:]
            if list(shared) == list(current[: len(shared)]):
                shift = j
                break
        if shift is None:
            shift = max(1, len(previous) - stride)
        starts.append(starts[-1] + shift)
    return starts


@register_adapter
class HfTokenClassificationAdapter(Adapter):
    """A Hugging Face token-classification tagger (BIO/BIOES/BMES) behind a label map."""

    name = "hf-ner"
    kind = "tagger"
    version = "2"  # 2: windows cut by the adapter (version-independent), see _windows
    tasks = ("ner",)
    labels = ("PER", "ORG", "GPE", "LOC", "TITLE")  # union over the ready maps; see __init__
    merged_labels = ()
    requires = ("torch", "transformers")
    install_hint = "pip install torch transformers"
    Options = HfNerOptions
    offline = False
    description = "Hugging Face token-classification model (BIO/BIOES/BMES tags) through a label map"

    def __init__(self, options: HfNerOptions | None = None) -> None:
        super().__init__(options)
        self.label_map: LabelMap | None = None
        if self.options.label_map != "auto":
            self._use_map(LABEL_MAPS[self.options.label_map])
        self.scheme: str | None = None if self.options.scheme == "auto" else self.options.scheme
        self._model: Any = None
        self._tokenizer: Any = None
        self._torch: Any = None
        self._id2label: dict[int, str] = {}
        self.device: str = ""
        self.dtype: str = ""
        self.max_length: int = 0
        self.stride: int = 0

    def _use_map(self, label_map: LabelMap) -> None:
        self.label_map = label_map
        self.labels = label_map.labels
        self.merged_labels = label_map.merged

    def preflight(self) -> None:
        """``model`` is a local folder holding config.json (or a hub id while HF_HUB_OFFLINE=0)."""
        from benchmark.adapters.preflight import check_model_source

        check_model_source(self.name, self.options.model)

    def load(self) -> None:
        """Load the tokenizer and model; detect the label map and scheme if ``auto``.

        Raises:
            OptionError: No ``model`` given, a slow tokenizer, an impossible device/dtype, or
                labels that fit no map.
            AdapterUnavailable: torch or transformers missing.
        """
        opts: HfNerOptions = self.options
        if not opts.model:
            raise OptionError(
                "hf-ner: option 'model' is required: a local model folder or hub id, "
                "e.g. hf-ner:model=models/msra-char-bert"
            )
        try:
            import torch
            from transformers import AutoModelForTokenClassification, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise AdapterUnavailable(f"hf-ner needs torch and transformers: {self.install_hint}") from exc
        self._torch = torch
        if opts.device == "cuda" and not torch.cuda.is_available():
            raise OptionError("hf-ner: option 'device': cuda was asked for but no GPU is available")
        use_cuda = opts.device == "cuda" or (opts.device == "auto" and torch.cuda.is_available())
        self.device = "cuda" if use_cuda else "cpu"
        self.dtype = "float32" if opts.dtype == "auto" else opts.dtype
        if self.dtype != "float32" and self.device != "cuda":
            raise OptionError(f"hf-ner: option 'dtype': {self.dtype} needs a GPU (device is {self.device})")

        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no weight-loading bar in the harness's output
        tokenizer = AutoTokenizer.from_pretrained(opts.model)
        if not getattr(tokenizer, "is_fast", False):
            raise OptionError(f"hf-ner: {opts.model} has no fast tokenizer (offset mappings are needed)")
        model = AutoModelForTokenClassification.from_pretrained(opts.model, dtype=getattr(torch, self.dtype))
        model.to(self.device).eval()
        self._tokenizer, self._model = tokenizer, model
        self._id2label = {int(k): v for k, v in model.config.id2label.items()}

        if self.label_map is None:
            try:
                self._use_map(detect_label_map(self._id2label.values()))
            except LabelMapError as exc:
                raise OptionError(f"hf-ner: {exc}") from None
        if self.scheme is None:
            self.scheme = detect_scheme(self._id2label.values())

        limits = [opts.max_length] if opts.max_length else []
        limits += [n for n in (getattr(tokenizer, "model_max_length", 0),) if 0 < n < 1_000_000]
        positions = getattr(model.config, "max_position_embeddings", 0) or 0
        limits += [positions] if positions > 0 else []
        self.max_length = min(limits) if limits else 512
        n_special = tokenizer.num_special_tokens_to_add(pair=False)
        if self.max_length - n_special < 2:
            raise OptionError(f"hf-ner: option 'max_length' {self.max_length} leaves no room for tokens")
        self.stride = min(opts.stride, (self.max_length - n_special) // 2)

    # -- prediction -------------------------------------------------------------------------

    def _windows(self, texts: list[str]) -> list[_Window]:
        """Windows over every line: token windows cut here, each re-tokenized with special tokens.

        The tokenizer's own ``return_overflowing_tokens`` is not used: its behaviour differs
        between versions (transformers 5.17 / tokenizers 0.23 stopped after the first overflow
        and dropped the rest of a long line without a word). Each line is tokenized once
        without special tokens; windows of ``max_length - specials`` tokens start every
        ``size - stride`` tokens until the last token is covered; each window's character
        span is tokenized again normally and must fit ``max_length``.
        """
        full = self._tokenizer(
            texts, add_special_tokens=False, return_offsets_mapping=True, padding=False, verbose=False
        )
        size = self.max_length - self._tokenizer.num_special_tokens_to_add(pair=False)
        pieces: list[tuple[int, int, int]] = []  # (unit, character start, character end)
        for unit, offsets in enumerate(full["offset_mapping"]):
            spans = [o for o in offsets if o[1] > o[0]]
            for s in token_window_starts(len(spans), size, self.stride):
                pieces.append((unit, spans[s][0], spans[min(len(spans), s + size) - 1][1]))
        if not pieces:
            return []
        enc = self._tokenizer(
            [texts[u][a:b] for u, a, b in pieces], return_offsets_mapping=True, padding=False
        )
        type_ids = enc.get("token_type_ids")
        windows = []
        for w, (unit, shift, _) in enumerate(pieces):
            if len(enc["input_ids"][w]) > self.max_length:
                raise RuntimeError(f"hf-ner: a window re-tokenized to {len(enc['input_ids'][w])} tokens "
                                   f"(max_length {self.max_length})")  # fmt: skip
            seq = enc.sequence_ids(w)
            offsets = enc["offset_mapping"][w]
            content = [i for i, s in enumerate(seq) if s == 0 and offsets[i][1] > offsets[i][0]]
            windows.append(
                _Window(
                    unit=unit,
                    input_ids=list(enc["input_ids"][w]),
                    type_ids=list(type_ids[w]) if type_ids is not None else None,
                    content=content,
                    offsets=[(offsets[i][0] + shift, offsets[i][1] + shift) for i in content],
                )
            )
        return windows

    def _run(self, windows: list[_Window]) -> list[list[int]]:
        """Arg-max label ids for the content tokens of every window (batched, longest first)."""
        torch = self._torch
        pad = self._tokenizer.pad_token_id or 0
        order = sorted(range(len(windows)), key=lambda i: -len(windows[i].input_ids))
        out: list[list[int]] = [[] for _ in windows]
        bs = self.options.batch_size
        with torch.inference_mode():
            for b in range(0, len(order), bs):
                batch = [windows[i] for i in order[b : b + bs]]
                width = max(len(w.input_ids) for w in batch)
                ids = torch.full((len(batch), width), pad, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                types = torch.zeros((len(batch), width), dtype=torch.long)
                for r, w in enumerate(batch):
                    n = len(w.input_ids)
                    ids[r, :n] = torch.tensor(w.input_ids)
                    mask[r, :n] = 1
                    if w.type_ids is not None:
                        types[r, :n] = torch.tensor(w.type_ids)
                inputs = {"input_ids": ids.to(self.device), "attention_mask": mask.to(self.device)}
                if batch[0].type_ids is not None:
                    inputs["token_type_ids"] = types.to(self.device)
                pred = self._model(**inputs).logits.argmax(-1).cpu().tolist()
                for r, i in enumerate(order[b : b + bs]):
                    out[i] = [pred[r][p] for p in windows[i].content]
        return out

    def predict(self, task: str, documents: Sequence[InputDocument]) -> list[Prediction]:
        """Tag every non-empty line of every document; one :class:`Prediction` per document."""
        if task not in self.tasks:
            raise ValueError(f"hf-ner supports only {self.tasks}, not {task!r}")
        if self._model is None:
            self.load()
        assert self.label_map is not None and self.scheme is not None
        units: list[tuple[int, int]] = []  # (document index, line start)
        texts: list[str] = []
        for d, doc in enumerate(documents):
            for start, end in doc.lines:
                line = doc.text[start:end]
                units.append((d, start))
                texts.append(to_ascii(line) if self.options.fullwidth_to_ascii else line)
        began = time.perf_counter()
        windows = self._windows(texts) if texts else []
        label_ids = self._run(windows)

        per_unit: dict[int, list[int]] = {}
        for w, window in enumerate(windows):
            per_unit.setdefault(window.unit, []).append(w)
        predictions = [Prediction(doc_id=doc.id) for doc in documents]
        native_counts: list[Counter[str]] = [Counter() for _ in documents]
        unsupported: list[Counter[str]] = [Counter() for _ in documents]
        unknown: list[Counter[str]] = [Counter() for _ in documents]
        for u, members in per_unit.items():
            d, line_start = units[u]
            starts = window_starts([windows[w].offsets for w in members], self.stride)
            tags = merge_windows([(s, label_ids[w]) for s, w in zip(starts, members, strict=True)])
            offsets = merge_windows([(s, windows[w].offsets) for s, w in zip(starts, members, strict=True)])
            text = documents[d].text
            for first, last, native in decode_tags([self._id2label[t] for t in tags], self.scheme):
                native_counts[d][native] += 1
                label = self.label_map.map(native)
                if label is None:
                    (unsupported if self.label_map.is_known(native) else unknown)[d][native] += 1
                    continue
                start = line_start + offsets[first][0]
                end = line_start + offsets[last - 1][1]
                while start < end and text[start].isspace():
                    start += 1
                while end > start and text[end - 1].isspace():
                    end -= 1
                if start < end:
                    predictions[d].records.append(Entity(start, end, text[start:end], label))
        elapsed = time.perf_counter() - began
        for d, pred in enumerate(predictions):
            pred.records.sort(key=lambda e: (e.start, e.end))
            pred.problems += [
                f"dropped {n} span(s) with native label {native!r} unknown to label map "
                f"{self.label_map.name!r}"
                for native, n in sorted(unknown[d].items())
            ]
            pred.info.update(
                {
                    "label_map": self.label_map.name,
                    "scheme": self.scheme,
                    "device": self.device,
                    "dtype": self.dtype,
                    "max_length": self.max_length,
                    "stride": self.stride,
                    "native_spans": dict(sorted(native_counts[d].items())),
                    "dropped_unsupported": dict(sorted(unsupported[d].items())),
                    "windows": sum(1 for w in windows if units[w.unit][0] == d),
                    "seconds_all_documents": round(elapsed, 4),
                }
            )
        return predictions


__all__ = ["SCHEMES", "HfNerOptions", "HfTokenClassificationAdapter", "merge_windows", "to_ascii"]
