"""Tag-scheme decoding: BIO, BIOES and BMES tag sequences to token spans (strict).

A tag is ``O`` or ``P-TYPE`` (also ``P_TYPE``) where the prefix ``P`` is one of ``B`` (begin),
``I`` or ``M`` (inside; the two letters are synonyms in every scheme), ``E`` (end) or ``S``
(single). Spans are half-open token ranges ``(start, end, type)``.

Decoding is *strict*: only well-formed chunks become spans, everything else is dropped, as in
seqeval's ``mode="strict"``:

* ``BIO``: a span is ``B-X`` followed by any run of ``I-X``. An ``I-X`` that does not continue
  a ``B-X``/``I-X`` of the same type (after ``O``, at the start, after another type) is
  ill-formed and dropped together with the ``I-X`` tokens that follow it. ``E-``/``S-`` tags
  are not part of BIO and count as ill-formed (dropped).
* ``BIOES`` / ``BMES`` (the same scheme with ``I`` or ``M`` inside): a span is ``S-X`` or
  ``B-X (I|M)-X* E-X``. A chunk that is not closed by ``E-X`` (``B-X M-X O``), that changes
  type (``B-X E-Y``), or that starts with ``I/M/E`` is dropped as a whole; decoding restarts
  at the next ``B-`` or ``S-``.

Nothing is ever repaired into a span, so a decoded span always corresponds to a tag sequence
the model actually produced in a valid form, and spans never overlap.

Example:
    >>> decode_tags(["B-PER", "I-PER", "O", "I-LOC", "B-ORG"], "BIO")
    [(0, 2, 'PER'), (4, 5, 'ORG')]
    >>> decode_tags(["B-PER", "M-PER", "E-PER", "S-LOC", "B-ORG", "M-ORG", "O"], "BMES")
    [(0, 3, 'PER'), (3, 4, 'LOC')]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

Scheme = Literal["BIO", "BIOES", "BMES"]
SCHEMES: tuple[str, ...] = ("BIO", "BIOES", "BMES")

_PREFIXES = frozenset("BIMES")


def split_tag(tag: str) -> tuple[str, str | None]:
    """Split a tag into ``(prefix, type)``; ``("O", None)`` for the outside tag.

    ``M`` is reported as ``I`` (inside). A tag without a known prefix is returned as
    ``("?", tag)`` so that callers can treat it as ill-formed.

    Example:
        >>> split_tag("B-PER"), split_tag("M_ORG"), split_tag("O"), split_tag("PER")
        (('B', 'PER'), ('I', 'ORG'), ('O', None), ('?', 'PER'))
        >>> split_tag("S-GPE.NAM")
        ('S', 'GPE.NAM')
    """
    if tag in ("O", "o", ""):
        return "O", None
    if len(tag) > 2 and tag[1] in "-_" and tag[0].upper() in _PREFIXES:
        prefix = tag[0].upper()
        return ("I" if prefix == "M" else prefix), tag[2:]
    return "?", tag


def detect_scheme(tags: Iterable[str]) -> Scheme:
    """Guess the scheme from a label inventory: ``M-`` -> BMES, ``E-``/``S-`` -> BIOES, else BIO.

    Example:
        >>> detect_scheme(["O", "B-PER", "M-PER", "E-PER", "S-PER"])
        'BMES'
        >>> detect_scheme(["O", "B-PER", "I-PER", "E-PER", "S-PER"])
        'BIOES'
        >>> detect_scheme(["O", "B-PER", "I-PER"])
        'BIO'
    """
    prefixes = {t[0].upper() for t in tags if len(t) > 2 and t[1] in "-_"}
    if "M" in prefixes:
        return "BMES"
    if prefixes & {"E", "S"}:
        return "BIOES"
    return "BIO"


def entity_types(tags: Iterable[str]) -> list[str]:
    """The entity types named by a label inventory, in first-seen order (unprefixed tags ignored).

    Example:
        >>> entity_types(["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "LABEL_3"])
        ['PER', 'LOC']
    """
    seen: dict[str, None] = {}
    for tag in tags:
        prefix, kind = split_tag(tag)
        if prefix != "?" and kind is not None:
            seen.setdefault(kind, None)
    return list(seen)


def decode_tags(tags: Sequence[str], scheme: str) -> list[tuple[int, int, str]]:
    """Strictly decode a tag sequence into non-overlapping token spans.

    Args:
        tags: One tag per token.
        scheme: ``"BIO"``, ``"BIOES"`` or ``"BMES"`` (BIOES and BMES decode alike).

    Returns:
        ``(start, end, type)`` half-open token ranges, sorted; ill-formed chunks are dropped
        (see the module docstring).

    Raises:
        ValueError: For an unknown scheme.

    Example:
        >>> decode_tags(["I-PER", "I-PER", "B-PER"], "BIO")
        [(2, 3, 'PER')]
        >>> decode_tags(["B-PER", "E-ORG", "S-ORG", "B-LOC", "I-LOC", "E-LOC"], "BIOES")
        [(2, 3, 'ORG'), (3, 6, 'LOC')]
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown tag scheme {scheme!r}; expected one of {', '.join(SCHEMES)}")
    parsed = [split_tag(t) for t in tags]
    return _decode_bio(parsed) if scheme == "BIO" else _decode_bioes(parsed)


def _decode_bio(parsed: Sequence[tuple[str, str | None]]) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    start: int | None = None
    kind: str | None = None
    for i, (prefix, this) in enumerate(parsed):
        if start is not None and prefix == "I" and this == kind:
            continue  # the open span goes on
        if start is not None and kind is not None:
            spans.append((start, i, kind))
        start, kind = (i, this) if prefix == "B" else (None, None)
    if start is not None and kind is not None:
        spans.append((start, len(parsed), kind))
    return spans


def _decode_bioes(parsed: Sequence[tuple[str, str | None]]) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    start: int | None = None
    kind: str | None = None
    for i, (prefix, this) in enumerate(parsed):
        if start is not None:
            if prefix == "I" and this == kind:
                continue
            if prefix == "E" and this == kind and kind is not None:
                spans.append((start, i + 1, kind))
                start, kind = None, None
                continue
            start, kind = None, None  # ill-formed: the open chunk is dropped
        if prefix == "S" and this is not None:
            spans.append((i, i + 1, this))
        elif prefix == "B":
            start, kind = i, this
    return spans
