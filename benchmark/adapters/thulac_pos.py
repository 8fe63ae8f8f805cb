"""The ``thulac`` adapter: THULAC's part-of-speech tagger read as an entity and number tagger.

Mapping (THULAC tags): ``np`` (person name) -> PER, ``ns`` (place name) -> GPE (THULAC
does not separate natural locations, so GPE and LOC are declared merged), ``ni``
(organisation) -> ORG, ``t`` (time) -> DATE only for absolute dates; adjacent DATE
tokens are merged (THULAC splits ``1月8日`` into ``1月`` + ``8日``). Numbers: ``m``
runs plus a ``q`` measure word become numeric facts through the project's normalizer;
digit pieces that THULAC splits and tags otherwise (``98`` ``.`` ``7`` ``8`` ``%``) are
joined back when they are adjacent (see :mod:`benchmark.adapters._tagging`).

THULAC (``pip install thulac``, 0.2.2) ships its models inside the package and runs
offline. It is slow (about 2,000 characters per second, plus about 4 s to load).
Licence: the PyPI metadata does not state one clearly; the upstream project (THUNLP)
describes it as free for research and requires a licence agreement for commercial
use. Check before redistributing outputs commercially.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmark.adapters._tagging import TaggerAdapter, TagSet
from benchmark.adapters.base import register_adapter

# THULAC's documented tag set, plus "id" (idioms such as 综合治理), which 0.2.2 emits
# although its documentation does not list it.
THULAC_TAGS = frozenset(
    [
        "n",
        "np",
        "ns",
        "ni",
        "nz",
        "m",
        "q",
        "mq",
        "t",
        "f",
        "s",
        "v",
        "vm",
        "vd",
        "a",
        "d",
        "h",
        "k",
        "i",
        "id",
        "j",
        "r",
        "c",
        "p",
        "u",
        "y",
        "e",
        "o",
        "g",
        "w",
        "x",
    ]
)

THULAC_TAGSET = TagSet(
    name="thulac",
    entity={"np": "PER", "ns": "GPE", "ni": "ORG", "t": "DATE"},
    known=THULAC_TAGS,
    number=frozenset({"m", "mq"}),
    measure=frozenset({"q", "mq"}),
    punct=frozenset({"w"}),
    noun=frozenset({"n", "ns", "ni", "nz", "j", "i", "id"}),
    date=frozenset({"t"}),
)


@dataclass(frozen=True)
class ThulacOptions:
    """Options of the THULAC adapter.

    Attributes:
        t2s: Convert traditional to simplified characters before tagging (THULAC's ``T2S``);
            output offsets still index the original text.
    """

    t2s: bool = False


@register_adapter
class ThulacAdapter(TaggerAdapter):
    """THULAC part-of-speech tags as entity and number tagger."""

    name = "thulac"
    kind = "tagger"
    version = "2"  # 2: adverbs before a linking verb are trimmed by a general rule (_tagging.ADVERBS)
    labels = ("PER", "ORG", "GPE", "DATE")
    merged_labels = (("GPE", "LOC"),)
    requires = ("thulac",)
    install_hint = "pip install thulac (or bash scripts/install_optional.sh)"
    Options = ThulacOptions
    tagset = THULAC_TAGSET
    description = "THULAC 0.2.2 part-of-speech tags (np/ns/ni/t, m+q) mapped to entities and numeric facts"

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._tagger: Any = None

    def load(self) -> None:
        """Load THULAC's bundled model (about 4 s); its "Model loaded succeed" line is swallowed."""
        import contextlib
        import io

        import thulac

        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            self._tagger = thulac.thulac(T2S=self.options.t2s)

    def cut(self, line: str) -> list[tuple[str, str]]:
        """THULAC's ``[word, tag]`` pairs for one line."""
        if self._tagger is None:
            self.load()
        return [(word, tag) for word, tag in self._tagger.cut(line)]
