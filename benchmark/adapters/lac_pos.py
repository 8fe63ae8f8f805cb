"""The ``lac`` adapter: Baidu LAC 2.1.2 (Apache-2.0), a joint segmenter, POS and NER tagger.

Mapping (LAC tags): ``PER`` -> PER, ``LOC`` -> GPE (LAC's LOC covers both
administrative and natural places, so GPE and LOC are declared merged), ``ORG`` -> ORG,
``TIME`` -> DATE only for absolute dates (``2020年``, ``1月8日``; not ``过去``).
Numbers: LAC tags a number together with its measure word as one ``m`` token
(``7名``, ``98.78%``, ``7万余人次``) and sometimes splits them (``28`` + ``名``); both
become numeric facts through the project's normalizer (see
:mod:`benchmark.adapters._tagging`).

Installing: ``pip install lac`` fails (its setup.py imports ``pkg_resources``, gone
from new setuptools), and LAC imports ``paddle.fluid``, removed from paddle 2.6+.
``scripts/install_optional.sh`` installs ``paddlepaddle`` and builds LAC with
``setuptools<70`` as a build constraint; :meth:`LacAdapter.load` aliases
``paddle.fluid`` to ``paddle.base`` before importing LAC. Set ``GLOG_minloglevel=2``
to silence paddle's log line (done here unless already set).
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from benchmark.adapters._tagging import TaggerAdapter, TagSet
from benchmark.adapters.base import register_adapter

LAC_TAGS = frozenset(
    [
        "n",
        "f",
        "s",
        "t",
        "nr",
        "ns",
        "nt",
        "nw",
        "nz",
        "v",
        "vd",
        "vn",
        "a",
        "ad",
        "an",
        "d",
        "m",
        "q",
        "r",
        "p",
        "c",
        "u",
        "xc",
        "w",
        "PER",
        "LOC",
        "ORG",
        "TIME",
    ]
)

LAC_TAGSET = TagSet(
    name="lac",
    entity={"PER": "PER", "LOC": "GPE", "ORG": "ORG", "TIME": "DATE"},
    known=LAC_TAGS,
    number=frozenset({"m"}),
    measure=frozenset({"q"}),
    punct=frozenset({"w"}),
    noun=frozenset({"n", "nz", "nw", "vn", "an", "s", "ORG", "LOC", "nt", "ns"}),
    date=frozenset({"TIME", "t"}),
)


#: Lines per call to LAC's batched ``run`` (one forward pass each).
BATCH_LINES = 256


@dataclass(frozen=True)
class LacOptions:
    """Options of the LAC adapter.

    Attributes:
        mode: LAC's mode; only ``lac`` (segmentation, POS and NER) gives entity tags.
    """

    mode: Literal["lac"] = "lac"


@functools.cache
def _shared_lac(mode: str) -> Any:
    return import_lac()(mode=mode)


def import_lac() -> Any:
    """Import ``LAC.LAC`` under paddle >= 2.6, aliasing the removed ``paddle.fluid``."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # paddle warns that ccache is missing
        import paddle

    if "paddle.fluid" not in sys.modules and hasattr(paddle, "base"):
        sys.modules["paddle.fluid"] = paddle.base
        sys.modules["paddle.fluid.core"] = paddle.base.core
    from LAC import LAC

    return LAC


@register_adapter
class LacAdapter(TaggerAdapter):
    """Baidu LAC entity and number tags."""

    name = "lac"
    kind = "tagger"
    version = "2"  # 2: adverbs before a linking verb are trimmed by a general rule (_tagging.ADVERBS)
    labels = ("PER", "ORG", "GPE", "DATE")
    merged_labels = (("GPE", "LOC"),)
    requires = ("LAC", "paddle")
    install_hint = "bash scripts/install_optional.sh (paddlepaddle, then LAC built with setuptools<70)"
    Options = LacOptions
    tagset = LAC_TAGSET
    description = "Baidu LAC 2.1.2 (PER/LOC/ORG/TIME, m+q) mapped to entities and numeric facts"

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._tagger: Any = None

    def load(self) -> None:
        """Load LAC's bundled model (about 1.5 s), once per process and mode.

        A second LAC model in the same process breaks PaddlePaddle's oneDNN kernels
        ("could not execute a primitive"), so instances share one.
        """
        self._tagger = _shared_lac(self.options.mode)

    def cut(self, line: str) -> list[tuple[str, str]]:
        """LAC's ``(word, tag)`` pairs for one line."""
        if self._tagger is None:
            self.load()
        words, tags = self._tagger.run(line)
        return list(zip(words, tags, strict=True))

    def cut_lines(self, lines: Sequence[str]) -> list[list[tuple[str, str]]]:
        """LAC's ``(word, tag)`` pairs for many lines, :data:`BATCH_LINES` lines per call.

        LAC tags a list in one forward pass (40.9k vs 26.7k chars/s one line per call on
        the article, 2 cores); it drops empty strings from the list it is given, so it gets a copy.
        """
        if self._tagger is None:
            self.load()
        out: list[list[tuple[str, str]]] = []
        for at in range(0, len(lines), BATCH_LINES):
            chunk = list(lines[at : at + BATCH_LINES])
            out += [list(zip(words, tags, strict=True)) for words, tags in self._tagger.run(chunk)]
        return out
