"""Serve a GGUF model with llama.cpp (``xllamacpp``) for the ``openai`` adapter.

``scripts/serve_llm.py`` starts a server by hand; ``evaluate.py`` starts one itself for a
model config item that has ``serve:`` (``configs/llm-gemma.yaml``) and stops it at the end.
Nothing here downloads: the GGUF is a local file or is assembled from an installed package
(the ``llm`` extra).
"""

from benchmark.llm_server.config import ServeConfig, ServeError, gguf_cache_dir, resolve_gguf
from benchmark.llm_server.process import LlamaServer

__all__ = ["LlamaServer", "ServeConfig", "ServeError", "gguf_cache_dir", "resolve_gguf"]
