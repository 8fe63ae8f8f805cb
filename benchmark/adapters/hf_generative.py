"""The ``hf-generative`` adapter: a local causal LM (transformers) prompted for every task.

Each request (a line, a paragraph unit, a question, or the whole document; the tasks build
them, see :mod:`benchmark.adapters.llm_adapter`) is rendered with the model's chat template
(``apply_chat_template(..., add_generation_prompt=True)``), or, with ``prompt=completion``
(base models), is the task's few-shot completion text as is, cut at the first blank line.
Answers come from greedy decoding (``do_sample=False``), so a run is deterministic on a
given machine. Requests are generated ``batch_size`` at a time, left-padded, shortest
prompts together. ``system_role=auto`` puts the instructions into the first user turn when
the chat template drops or refuses a system message (``yes``/``no`` force it).

Usage::

    evaluate.py --model hf-generative:model=/models/Qwen2.5-7B-Instruct,device=cuda,dtype=bfloat16
    evaluate.py --model hf-generative:model=/models/base-model,prompt=completion
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from benchmark.adapters.base import register_adapter
from benchmark.adapters.llm_adapter import Completion, LLMAdapter
from benchmark.tasks.llm import prompts_digest

Generated = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class HFGenerativeOptions:
    """Options of ``hf-generative``.

    Attributes:
        model: A local model folder, a local ``.gguf`` file (read through transformers'
            ``gguf_file=``; needs the ``gguf`` package), or a hub id when the hub is reachable;
            required.
        max_new_tokens: Generation budget per request.
        device: ``auto`` (CUDA when available), ``cpu`` or ``cuda``.
        dtype: Weights dtype; ``auto`` is float32 on CPU and the checkpoint's dtype on CUDA.
        batch_size: Requests generated together.
        unit: ``line`` (one request per line, paragraph unit or question) or ``document``.
        prompt: ``chat`` (the chat template) or ``completion`` (the task's few-shot text, for base
            models; no chat template needed).
        system_role: ``auto`` (detected from the chat template), ``yes`` or ``no`` (instructions
            go into the first user turn).
    """

    model: str = ""
    max_new_tokens: int = 512
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = "auto"
    batch_size: int = 1
    unit: Literal["line", "document"] = "line"
    prompt: Literal["chat", "completion"] = "chat"
    system_role: Literal["auto", "yes", "no"] = "auto"

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {self.max_new_tokens}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")


@register_adapter
class HFGenerativeAdapter(LLMAdapter):
    """Local chat LLM through transformers, greedy decoding, JSON answers grounded to offsets."""

    name = "hf-generative"
    kind = "llm"
    version = f"2+p{prompts_digest()[:8]}"
    requires = ("torch", "transformers")
    install_hint = "pip install torch transformers"
    Options = HFGenerativeOptions
    description: ClassVar[str] = (
        "local causal LM (transformers chat template, or few-shot completion for base models; greedy) "
        "prompted by every task; JSON answers parsed tolerantly and grounded to offsets"
    )

    def __init__(self, options: HFGenerativeOptions | None = None) -> None:
        super().__init__(options)
        self._model: Any = None
        self._tokenizer: Any = None
        self._device = "cpu"
        self._system_role = True

    def preflight(self) -> None:
        """``model`` is a local folder holding config.json, a ``.gguf`` file, or a hub id while
        HF_HUB_OFFLINE=0."""
        from benchmark.adapters.base import PreflightError
        from benchmark.adapters.preflight import check_model_source

        model = self.options.model
        if model.endswith(".gguf"):
            if not Path(model).expanduser().is_file():
                raise PreflightError(f"{self.name}: model={model}: no such GGUF file")
            return
        check_model_source(self.name, model)

    def load(self) -> None:
        """Load the tokenizer and model; ``prompt=chat`` needs a chat template."""
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        opts: HFGenerativeOptions = self.options
        if not opts.model:
            raise ValueError("hf-generative needs model=<local folder or hub id>")
        self._device = "cuda" if opts.device == "auto" and torch.cuda.is_available() else opts.device
        if self._device == "auto":
            self._device = "cpu"
        source, extra = model_source(opts.model)
        tokenizer = AutoTokenizer.from_pretrained(source, **extra)
        if opts.prompt == "chat" and not getattr(tokenizer, "chat_template", None):
            raise ValueError(
                f"{opts.model}: the tokenizer has no chat template (use an instruct/chat model, "
                "or prompt=completion for a base model)"
            )
        if opts.prompt == "chat":
            self._system_role = opts.system_role == "yes" or (
                opts.system_role == "auto" and template_has_system_role(tokenizer)
            )
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        dtype: Any = opts.dtype
        if dtype == "auto":
            dtype = torch.float32 if self._device == "cpu" else "auto"
        else:
            dtype = getattr(torch, dtype)
        model = AutoModelForCausalLM.from_pretrained(source, dtype=dtype, **extra)
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

    def system_role(self) -> bool:
        """Whether the chat template takes a system message (decided at load time)."""
        return self._system_role

    def render(self, request: Any) -> str:
        """The text the model reads: the chat template applied, or the completion prompt."""
        if request.prompt is not None:
            return request.prompt
        tok = self._tokenizer
        return tok.apply_chat_template(request.messages, add_generation_prompt=True, tokenize=False)

    def _generate(self, prompts: Sequence[str], stop: Sequence[str] = ()) -> list[Generated]:
        """Greedy answers to a batch of rendered prompts, with token counts; generation of a
        sequence ends at one of the ``stop`` strings (the caller cuts the answer there)."""
        import torch

        tok = self._tokenizer
        special = self.options.prompt == "completion"  # a raw text gets the tokenizer's BOS
        enc = tok(list(prompts), return_tensors="pt", padding=True, add_special_tokens=special)
        enc = enc.to(self._device)
        with torch.inference_mode():
            config = self._generation_config()
            width = enc["input_ids"].shape[1]
            criteria = [StopInGenerated(tok, stop, width)] if stop else None
            out = self._model.generate(**enc, generation_config=config, stopping_criteria=criteria)
        results = []
        for row, mask in zip(out, enc["attention_mask"], strict=True):
            new = row[width:]
            n_new = int((new != tok.pad_token_id).sum()) if tok.pad_token_id is not None else len(new)
            text = tok.decode(new, skip_special_tokens=True)
            results.append((text, {"prompt_tokens": int(mask.sum()), "completion_tokens": n_new}))
        return results

    def complete(self, requests: Sequence[Any]) -> list[Completion]:
        """Generate every request, ``batch_size`` at a time (shortest prompts batched together);
        an answer is cut at the request's first stop string."""
        if self._model is None and not self._patched():
            raise RuntimeError("hf-generative: call load() before predict()")
        size = self.options.batch_size
        prompts = [self.render(r) for r in requests]
        order = list(range(len(requests)))
        if size > 1:  # similar lengths together: less padding
            order.sort(key=lambda i: len(prompts[i]))
        out: list[Completion | None] = [None] * len(requests)
        for k in range(0, len(order), size):
            batch = order[k : k + size]
            started = time.perf_counter()
            stop = sorted({s for i in batch for s in requests[i].stop})
            generated = self._generate([prompts[i] for i in batch], stop)
            seconds = (time.perf_counter() - started) / len(batch)
            for i, (text, meta) in zip(batch, generated, strict=True):
                text = cut_at_stop(text, requests[i].stop)
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


class StopInGenerated:
    """Stopping criterion: a sequence is done once its generated text (never the prompt) holds a
    stop string. (transformers' ``stop_strings`` also match across the prompt's end, so a
    completion prompt ending in a newline would stop at the first generated newline.)"""

    def __init__(self, tokenizer: Any, stop: Sequence[str], width: int) -> None:
        self.tokenizer, self.stop, self.width = tokenizer, [s for s in stop if s], width

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        texts = self.tokenizer.batch_decode(input_ids[:, self.width :], skip_special_tokens=True)
        done = [any(s in text for s in self.stop) for text in texts]
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)


def model_source(model: str) -> tuple[str, dict[str, str]]:
    """Where ``from_pretrained`` loads ``model`` from: a ``.gguf`` file is its folder plus
    ``gguf_file=`` (transformers dequantizes it), anything else is passed as is.

    Example:
        >>> model_source("/models/gemma/model-q4_k_m.gguf")
        ('/models/gemma', {'gguf_file': 'model-q4_k_m.gguf'})
        >>> model_source("/models/Qwen2.5-7B-Instruct")
        ('/models/Qwen2.5-7B-Instruct', {})
    """
    if model.endswith(".gguf"):
        path = Path(model).expanduser()
        return str(path.parent), {"gguf_file": path.name}
    return model, {}


def template_has_system_role(tokenizer: Any) -> bool:
    """Whether the chat template renders a system message (some drop it, some refuse it)."""
    probe = "\u2063system-probe\u2063"
    messages = [{"role": "system", "content": probe}, {"role": "user", "content": "x"}]
    try:
        text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    except Exception:  # a template that raises on the system role ("System role not supported")
        return False
    return probe in str(text)


def cut_at_stop(text: str, stop: Sequence[str]) -> str:
    """``text`` up to the first of the ``stop`` strings (the whole text when none occurs).

    Example:
        >>> cut_at_stop('[]\\n\\n示例 5', ("\\n\\n",)), cut_at_stop("[]", ())
        ('[]', '[]')
    """
    cut = min((i for i in (text.find(s) for s in stop if s) if i >= 0), default=len(text))
    return text[:cut]
