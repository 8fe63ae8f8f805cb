"""The ``hf-generative`` adapter: a local causal LM (transformers) prompted for every task.

Each request (a line, a paragraph unit, or the whole document; see
:mod:`benchmark.adapters.llm_common`) is rendered with the model's chat template
(``apply_chat_template(..., add_generation_prompt=True)``) and answered by greedy
decoding (``do_sample=False``), so a run is deterministic on a given machine. Requests
are generated ``batch_size`` at a time, left-padded, shortest prompts together.

Usage::

    evaluate.py --model hf-generative:model=/models/Qwen2.5-7B-Instruct,device=cuda,dtype=bfloat16
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from benchmark.adapters.base import register_adapter
from benchmark.adapters.llm_common import ChatRequest, Completion, LLMAdapter, prompts_digest

Generated = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class HFGenerativeOptions:
    """Options of ``hf-generative``.

    Attributes:
        model: A local model folder (or a hub id when the hub is reachable); required.
        max_new_tokens: Generation budget per request.
        device: ``auto`` (CUDA when available), ``cpu`` or ``cuda``.
        dtype: Weights dtype; ``auto`` is float32 on CPU and the checkpoint's dtype on CUDA.
        batch_size: Requests generated together.
        unit: ``line`` (one request per line; per paragraph unit for topics) or ``document``.
    """

    model: str = ""
    max_new_tokens: int = 512
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = "auto"
    batch_size: int = 1
    unit: Literal["line", "document"] = "line"

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {self.max_new_tokens}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")


@register_adapter
class HFGenerativeAdapter(LLMAdapter):
    """Local chat LLM through transformers, greedy decoding, JSON answers grounded to offsets."""

    name = "hf-generative"
    version = f"1+p{prompts_digest()[:8]}"
    requires = ("torch", "transformers")
    install_hint = "pip install torch transformers"
    Options = HFGenerativeOptions
    description: ClassVar[str] = (
        "local causal LM (transformers chat template, greedy decoding) prompted with Chinese "
        "few-shot prompts; JSON answers parsed tolerantly and grounded to offsets"
    )

    def __init__(self, options: HFGenerativeOptions | None = None) -> None:
        super().__init__(options)
        self._model: Any = None
        self._tokenizer: Any = None
        self._device = "cpu"

    def preflight(self) -> None:
        """``model`` is a local folder holding config.json (or a hub id while HF_HUB_OFFLINE=0)."""
        from benchmark.adapters.preflight import check_model_source

        check_model_source(self.name, self.options.model)

    def load(self) -> None:
        """Load the tokenizer and model; the tokenizer must have a chat template."""
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        opts: HFGenerativeOptions = self.options
        if not opts.model:
            raise ValueError("hf-generative needs model=<local folder or hub id>")
        self._device = "cuda" if opts.device == "auto" and torch.cuda.is_available() else opts.device
        if self._device == "auto":
            self._device = "cpu"
        tokenizer = AutoTokenizer.from_pretrained(opts.model)
        if not getattr(tokenizer, "chat_template", None):
            raise ValueError(f"{opts.model}: the tokenizer has no chat template (use an instruct/chat model)")
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        dtype: Any = opts.dtype
        if dtype == "auto":
            dtype = torch.float32 if self._device == "cpu" else "auto"
        else:
            dtype = getattr(torch, dtype)
        model = AutoModelForCausalLM.from_pretrained(opts.model, dtype=dtype)
        self._model = model.to(self._device).eval()
        self._tokenizer = tokenizer

    def _generation_config(self) -> Any:
        import copy

        config = copy.deepcopy(self._model.generation_config)
        config.do_sample = False
        config.num_beams = 1
        config.temperature = None
        config.top_p = None
        config.top_k = None
        config.max_new_tokens = self.options.max_new_tokens
        config.pad_token_id = self._tokenizer.pad_token_id
        return config

    def _generate(self, conversations: Sequence[list[dict[str, str]]]) -> list[Generated]:
        """Greedy answers to a batch of chat conversations, with token counts."""
        import torch

        tok = self._tokenizer
        prompts = [
            tok.apply_chat_template(c, add_generation_prompt=True, tokenize=False) for c in conversations
        ]
        enc = tok(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(self._device)
        with torch.inference_mode():
            out = self._model.generate(**enc, generation_config=self._generation_config())
        width = enc["input_ids"].shape[1]
        results = []
        for row, mask in zip(out, enc["attention_mask"], strict=True):
            new = row[width:]
            n_new = int((new != tok.pad_token_id).sum()) if tok.pad_token_id is not None else len(new)
            text = tok.decode(new, skip_special_tokens=True)
            results.append((text, {"prompt_tokens": int(mask.sum()), "completion_tokens": n_new}))
        return results

    def complete(self, requests: Sequence[ChatRequest]) -> list[Completion]:
        """Generate every request, ``batch_size`` at a time (shortest prompts batched together)."""
        if self._model is None and not self._patched():
            raise RuntimeError("hf-generative: call load() before predict()")
        size = self.options.batch_size
        order = list(range(len(requests)))
        if size > 1:  # similar lengths together: less padding
            order.sort(key=lambda i: sum(len(m["content"]) for m in requests[i].messages))
        out: list[Completion | None] = [None] * len(requests)
        for k in range(0, len(order), size):
            batch = order[k : k + size]
            started = time.perf_counter()
            generated = self._generate([requests[i].messages for i in batch])
            seconds = (time.perf_counter() - started) / len(batch)
            for i, (text, meta) in zip(batch, generated, strict=True):
                out[i] = Completion(text, meta={**meta, "seconds": round(seconds, 4), "batch": k // size})
        return [c for c in out if c is not None]

    def _patched(self) -> bool:
        """True when ``_generate`` was replaced on the instance (tests feed canned answers)."""
        return "_generate" in vars(self)

    def usage_info(self, completions: Sequence[Completion]) -> dict[str, Any]:
        """Per-request token counts and seconds, and their totals."""
        metas = [c.meta for c in completions]
        totals = {
            key: sum(m.get(key, 0) for m in metas)
            for key in ("prompt_tokens", "completion_tokens", "seconds")
        }
        totals["seconds"] = round(totals["seconds"], 4)
        return {"per_request": metas, "totals": totals, "device": self._device}
