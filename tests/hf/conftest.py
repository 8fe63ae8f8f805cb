"""Tiny BERT token classifiers built and saved inside the tests (no hub, no download).

``make_model`` builds a model whose tag for a token depends only on that token: the position
and type embeddings are zero and every layer's residual branches are zeroed, so the hidden
state of a token is its (normalised) word embedding, and the classifier reads the tag off it.
Such a model is position-independent, which makes window tests exact. ``random=True`` keeps
the random initialisation instead (for validity tests on the article).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

pytest.importorskip("torch")
pytest.importorskip("transformers")

ROOT = Path(__file__).resolve().parents[2]
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def _train_script() -> Any:
    """The training module (``scripts/train_msra_tagger.py`` is its command line)."""
    import benchmark.training.msra as module

    return module


@pytest.fixture(scope="session")
def train_script() -> Any:
    """The training script as a module (its tokenizer builder is reused here)."""
    return _train_script()


def wordpiece_tokenizer(vocab: Sequence[str], model_max_length: int) -> Any:
    """A BERT-style word-piece fast tokenizer (lower-cased, CJK characters not split apart)."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    ids = {t: i for i, t in enumerate(vocab)}
    core = Tokenizer(models.WordPiece(ids, unk_token="[UNK]", max_input_chars_per_word=100))
    core.normalizer = normalizers.BertNormalizer(handle_chinese_chars=False, lowercase=True, strip_accents=False)
    core.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    core.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])],
    )
    core.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=model_max_length,
    )


def build_model(
    folder: Path,
    *,
    labels: Sequence[str],
    token_tags: Mapping[str, str],
    tokenizer_kind: str = "char",
    extra_vocab: Sequence[str] = (),
    max_positions: int = 512,
    random: bool = False,
    seed: int = 0,
) -> Path:
    """Save a tiny BertForTokenClassification and its tokenizer to ``folder``.

    Args:
        labels: ``id2label`` values (``O`` first).
        token_tags: Token -> tag it is predicted with (other tokens get ``O``).
        tokenizer_kind: ``char`` (one token per character) or ``wordpiece``.
        extra_vocab: More tokens for the vocabulary (tagged ``O``).
        max_positions: ``max_position_embeddings`` (and the tokenizer's model_max_length).
        random: Keep random weights instead of the token -> tag construction.
    """
    import torch
    from transformers import BertConfig, BertForTokenClassification

    vocab = list(SPECIALS)
    for token in [*token_tags, *extra_vocab]:
        if token not in vocab:
            vocab.append(token)
    if tokenizer_kind == "char":
        tokenizer = _train_script().build_char_tokenizer(vocab, max_positions)
    else:
        tokenizer = wordpiece_tokenizer(vocab, max_positions)
    hidden = max(16, len(labels) + 2)
    hidden += hidden % 2
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=2 * hidden,
        max_position_embeddings=max_positions,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    model = BertForTokenClassification(config)
    if not random:
        label_id = {label: i for i, label in enumerate(labels)}
        with torch.no_grad():
            emb = model.bert.embeddings
            emb.position_embeddings.weight.zero_()
            emb.token_type_embeddings.weight.zero_()
            emb.word_embeddings.weight.zero_()
            for i, token in enumerate(vocab):
                emb.word_embeddings.weight[i, label_id[token_tags.get(token, "O")]] = 10.0
            for layer in model.bert.encoder.layer:
                for dense in (layer.attention.output.dense, layer.output.dense):
                    dense.weight.zero_()
                    dense.bias.zero_()
            model.classifier.weight.zero_()
            model.classifier.bias.zero_()
            for k in range(len(labels)):
                model.classifier.weight[k, k] = 1.0
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture()
def make_model(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``make_model(name, labels=..., token_tags=..., ...)`` -> saved folder."""

    def make(name: str, **kwargs: Any) -> Path:
        return build_model(tmp_path / name, **kwargs)

    return make


MSRA_LABELS = ["O", *(f"{p}-{t}" for t in ("PER", "LOC", "ORG") for p in "BMES")]

# 张三 = PER (B E), 李 = PER (S), 北京 = LOC (B E), 四川省 = LOC (B M E), 公安厅 = ORG (B M E);
# A B C = ORG (B M E) to test the full-width mapping; 1 2 = O (digits in vocab).
MSRA_TAGS = {
    "张": "B-PER",
    "三": "E-PER",
    "李": "S-PER",
    "北": "B-LOC",
    "京": "E-LOC",
    "四": "B-LOC",
    "川": "M-LOC",
    "省": "E-LOC",
    "公": "B-ORG",
    "安": "M-ORG",
    "厅": "E-ORG",
    "A": "B-ORG",
    "B": "M-ORG",
    "C": "E-ORG",
}


@pytest.fixture(scope="session")
def msra_like(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A char-level BMES model over MSRA types with a designed token -> tag table."""
    return build_model(
        tmp_path_factory.mktemp("msra-like"),
        labels=MSRA_LABELS,
        token_tags=MSRA_TAGS,
        extra_vocab=[*"在工作。，的和1234567890", "x"],
    )
