"""Model adapters: one module per adapter family, registered in :data:`ADAPTERS`.

Built-in adapter modules are imported here so they register themselves; their
optional dependencies are imported inside ``load()``, so a missing one disables
only that adapter. Third-party packages register through the entry-point group
``benchmark.adapters``.
"""

from benchmark.adapters.base import (
    ADAPTERS,
    Adapter,
    AdapterUnavailable,
    InputDocument,
    Mention,
    Prediction,
    PreflightError,
    register_adapter,
)

__all__ = [
    "ADAPTERS",
    "Adapter",
    "AdapterUnavailable",
    "InputDocument",
    "Mention",
    "Prediction",
    "PreflightError",
    "get_adapter",
    "register_adapter",
]


def get_adapter(name: str) -> type[Adapter]:
    """The adapter class registered under ``name`` ("did you mean" on a miss)."""
    return ADAPTERS.get(name)

# The built-in adapters register themselves on import (their heavy dependencies load in load()).
from benchmark.adapters import (  # noqa: E402, F401
    bm25_qa,
    chinesener_bilstm,
    hf_generative,
    hf_token_classification,
    jiagu_ner,
    jieba_pos,
    lac_onnx,
    lac_pos,
    openai_compatible,
    oracle,
    rules,
    rules_article,
    sklearn_topics,
    thulac_pos,
)
