"""Chinese-number normalizer: a quantity's surface to (value, unit, qualifier).

Handles Arabic and Chinese numerals (``cn2an`` reads the pure Chinese ones, such as
两, 二十, 三百), the scales 万 / 亿 / 万亿, the approximation markers 余 / 多 (before
or after the scale), the prefixes 约 / 近 ('nearly'), the suffixes 以上 / 以下, and
percentages. cn2an alone fails on 2.8万亿, 98.78%, 100余 and 两期; this module
covers those by hand.

Qualifiers (see annotations/GUIDELINES.md, numeric facts):
``exact``, ``approx`` (余, 多, 约, 近 meaning 'nearly'), ``at_least`` (以上), ``at_most`` (以下).

Example:
    >>> parse_quantity("79.1亿元")
    Quantity(value=7910000000, unit='元', qualifier='exact')
    >>> parse_quantity("2.3万余人")
    Quantity(value=23000, unit='人', qualifier='approx')
    >>> parse_quantity("90%以上")
    Quantity(value=90, unit='%', qualifier='at_least')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

QUALIFIERS = ("exact", "approx", "at_least", "at_most")

_CN_DIGITS = "零〇一二两三四五六七八九十百千"
# Single characters are read from this table; composed numerals (二十, 三百零五) go to cn2an,
# whose first call costs ~0.3 s (import and regex compilation) that a one-character numeral
# should not pay.
_SINGLE = {ch: Decimal(i) for i, ch in enumerate("零一二三四五六七八九")} | {
    "〇": Decimal(0),
    "两": Decimal(2),
    "十": Decimal(10),
    "百": Decimal(100),
    "千": Decimal(1000),
}
_SCALES = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "万": Decimal(10) ** 4}
_PATTERN = re.compile(
    r"^(?P<prefix>约|近)?"
    rf"(?P<number>\d+(?:\.\d+)?|[{_CN_DIGITS}]+)"
    r"(?P<approx1>余|多)?"
    r"(?P<scale>万亿|亿|万)?"
    r"(?P<approx2>余|多)?"
    r"(?P<unit>%|[^\d%以]*?)"
    r"(?P<bound>以上|以下)?$"
)


# Traditional forms of the characters the pattern reads (so the Traditional robustness
# variant of a text normalizes like the original); units keep their own form.
_TRADITIONAL = str.maketrans({"萬": "万", "億": "亿", "餘": "余", "兩": "两", "約": "约"})


class NormalizationError(ValueError):
    """The surface is not a quantity this normalizer can read."""


@dataclass(frozen=True, slots=True)
class Quantity:
    """A normalized quantity.

    Attributes:
        value: The number after scaling (int when integral, else float).
        unit: The measure word or unit after the number and scale ('' if none).
        qualifier: One of :data:`QUALIFIERS`.
    """

    value: int | float
    unit: str
    qualifier: str


@lru_cache(maxsize=1)
def _cn2an():  # imported lazily: cn2an costs ~0.1 s at import
    import cn2an

    return cn2an


def parse_number(numeral: str) -> Decimal:
    """Read an Arabic or Chinese numeral without scale words beyond 千.

    Example:
        >>> parse_number("两"), parse_number("二十"), parse_number("98.78")
        (Decimal('2'), Decimal('20'), Decimal('98.78'))
    """
    if re.fullmatch(r"\d+(?:\.\d+)?", numeral):
        return Decimal(numeral)
    if not numeral or any(ch not in _CN_DIGITS for ch in numeral):
        raise NormalizationError(f"not a numeral: {numeral!r}")
    if len(numeral) == 1:
        return _SINGLE[numeral]
    try:
        return Decimal(int(_cn2an().cn2an(numeral.replace("〇", "零"), "smart")))
    except Exception as exc:  # cn2an raises bare ValueErrors with Chinese messages
        raise NormalizationError(f"not a numeral: {numeral!r} ({exc})") from None


def _as_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def parse_quantity(surface: str) -> Quantity:
    """Normalize a quantity surface such as ``100余万起`` or ``5人以下``.

    Args:
        surface: The annotated span text: number, optional scale, approximation
            marker and bound, and the measure word.

    Returns:
        The scaled value, the unit and the qualifier read from the surface itself.

    Raises:
        NormalizationError: If the surface does not have the shape of a quantity.

    Example:
        >>> parse_quantity("100余万起")
        Quantity(value=1000000, unit='起', qualifier='approx')
        >>> parse_quantity("两期")
        Quantity(value=2, unit='期', qualifier='exact')
        >>> parse_quantity("2.8万亿条").value
        2800000000000
        >>> parse_quantity("2.3萬餘人")  # Traditional forms read the same
        Quantity(value=23000, unit='人', qualifier='approx')
    """
    match = _PATTERN.match(surface.translate(_TRADITIONAL))
    if match is None:
        raise NormalizationError(f"not a quantity: {surface!r}")
    number = parse_number(match["number"])
    scale = _SCALES.get(match["scale"] or "", Decimal(1))
    approx = match["prefix"] or match["approx1"] or match["approx2"]
    qualifier = {"以上": "at_least", "以下": "at_most"}.get(match["bound"] or "", "exact")
    if approx and qualifier != "exact":
        raise NormalizationError(f"both an approximation and a bound: {surface!r}")
    if approx:
        qualifier = "approx"
    return Quantity(_as_number(number * scale), match["unit"], qualifier)


def values_match(a: float, b: float, *, rel_tol: float = 1e-9) -> bool:
    """Compare two normalized values with a relative tolerance.

    Example:
        >>> values_match(7910000000, 7.91e9)
        True
    """
    return math.isclose(a, b, rel_tol=rel_tol)
