"""Strict decoding of BIO / BIOES / BMES tag sequences, with ill-formed cases."""

from __future__ import annotations

import itertools
import random

import pytest

from benchmark.adapters._bio import decode_tags, detect_scheme, entity_types, split_tag

CASES = [
    # scheme, tags, spans
    ("BIO", ["B-PER", "I-PER", "O"], [(0, 2, "PER")]),
    ("BIO", ["B-PER", "I-PER"], [(0, 2, "PER")]),
    ("BIO", ["B-PER", "B-PER"], [(0, 1, "PER"), (1, 2, "PER")]),
    ("BIO", ["I-PER", "I-PER"], []),  # I- without B-: dropped (strict)
    ("BIO", ["O", "I-PER", "B-PER"], [(2, 3, "PER")]),
    ("BIO", ["B-PER", "I-ORG", "I-ORG"], [(0, 1, "PER")]),  # type change: the I-ORG run is dropped
    ("BIO", ["B-PER", "I-PER", "I-ORG", "B-LOC"], [(0, 2, "PER"), (3, 4, "LOC")]),
    ("BIO", ["B-PER", "E-PER"], [(0, 1, "PER")]),  # E- is not BIO: ill-formed, dropped
    ("BIO", ["S-PER", "B-LOC"], [(1, 2, "LOC")]),
    ("BIO", ["B-PER", "PER", "I-PER"], [(0, 1, "PER")]),  # a tag without prefix breaks the chunk
    ("BIO", [], []),
    ("BIOES", ["S-PER"], [(0, 1, "PER")]),
    ("BIOES", ["B-PER", "I-PER", "E-PER"], [(0, 3, "PER")]),
    ("BIOES", ["B-PER", "E-PER", "S-LOC"], [(0, 2, "PER"), (2, 3, "LOC")]),
    ("BIOES", ["B-PER", "I-PER", "O"], []),  # not closed by E-
    ("BIOES", ["B-PER", "I-PER"], []),  # not closed at the end
    ("BIOES", ["B-PER", "E-ORG"], []),  # type change
    ("BIOES", ["B-PER", "I-ORG", "E-ORG"], []),
    ("BIOES", ["I-PER", "E-PER"], []),  # no B-
    ("BIOES", ["E-PER", "S-ORG"], [(1, 2, "ORG")]),
    ("BIOES", ["B-PER", "S-LOC"], [(1, 2, "LOC")]),  # open chunk dropped, S- kept
    ("BIOES", ["B-PER", "B-LOC", "E-LOC"], [(1, 3, "LOC")]),
    ("BIOES", ["B-PER", "M-PER", "E-PER"], [(0, 3, "PER")]),  # M- and I- are synonyms
    ("BMES", ["B-LOC", "M-LOC", "M-LOC", "E-LOC"], [(0, 4, "LOC")]),
    ("BMES", ["B-LOC", "I-LOC", "E-LOC"], [(0, 3, "LOC")]),
    ("BMES", ["M-LOC", "E-LOC", "S-PER"], [(2, 3, "PER")]),
    ("BMES", ["B-ORG", "M-ORG", "S-ORG", "B-ORG", "E-ORG"], [(2, 3, "ORG"), (3, 5, "ORG")]),
    ("BMES", ["B_PER", "E_PER"], [(0, 2, "PER")]),  # underscore separator
    ("BMES", ["B-PER.NAM", "E-PER.NAM", "S-LOC.NOM"], [(0, 2, "PER.NAM"), (2, 3, "LOC.NOM")]),
    ("BMES", ["B-PER", "PER", "E-PER"], []),
]


@pytest.mark.parametrize(("scheme", "tags", "spans"), CASES)
def test_decode_cases(scheme: str, tags: list[str], spans: list[tuple[int, int, str]]) -> None:
    assert decode_tags(tags, scheme) == spans


def test_unknown_scheme() -> None:
    with pytest.raises(ValueError, match="unknown tag scheme"):
        decode_tags(["O"], "IO")


def test_split_and_detect() -> None:
    assert split_tag("M-LOC") == ("I", "LOC")
    assert split_tag("s-per") == ("S", "per")
    assert split_tag("O") == ("O", None)
    assert detect_scheme(["O", "B-X", "I-X"]) == "BIO"
    assert detect_scheme(["O", "B-X", "I-X", "E-X", "S-X"]) == "BIOES"
    assert detect_scheme(["O", "B-X", "M-X", "E-X", "S-X"]) == "BMES"
    assert entity_types(["O", "B-a", "I-a", "S-b"]) == ["a", "b"]


def _random_tags(rng: random.Random, prefixes: str, n: int) -> list[str]:
    return [
        "O" if rng.random() < 0.3 else f"{rng.choice(prefixes)}-{rng.choice(['PER', 'LOC'])}" for _ in range(n)
    ]


@pytest.mark.parametrize(("scheme", "prefixes"), [("BIO", "BI"), ("BIOES", "BIES")])
def test_matches_seqeval_strict(scheme: str, prefixes: str) -> None:
    """Same spans as seqeval's strict mode (IOB2 / IOBES) on random, mostly ill-formed input."""
    seqeval_scheme = pytest.importorskip("seqeval.scheme")
    target = seqeval_scheme.IOB2 if scheme == "BIO" else seqeval_scheme.IOBES
    rng = random.Random(7)
    for _ in range(400):
        tags = _random_tags(rng, prefixes, rng.randint(0, 12))
        expected = [(e.start, e.end, e.tag) for e in seqeval_scheme.Entities([tags], target).entities[0]]
        assert decode_tags(tags, scheme) == sorted(expected), tags


def test_spans_never_overlap() -> None:
    rng = random.Random(3)
    for _ in range(300):
        tags = _random_tags(rng, "BMES", 15)
        spans = decode_tags(tags, "BMES")
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
        assert all(0 <= s < e <= len(tags) for s, e, _ in spans)
