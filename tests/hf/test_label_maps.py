"""Ready label maps and their detection from id2label."""

from __future__ import annotations

import pytest

from benchmark.adapters.label_maps import LABEL_MAPS, LabelMapError, detect_label_map
from benchmark.tasks.ner import LABELS

TABLE = [
    ("cluener", "name", "PER"),
    ("cluener", "company", "ORG"),
    ("cluener", "government", "ORG"),
    ("cluener", "organization", "ORG"),
    ("cluener", "address", "GPE"),
    ("cluener", "position", "TITLE"),
    ("cluener", "scene", None),
    ("cluener", "book", None),
    ("cluener", "game", None),
    ("cluener", "movie", None),
    ("msra", "nr", "PER"),
    ("msra", "PER", "PER"),
    ("msra", "ns", "GPE"),
    ("msra", "LOC", "GPE"),
    ("msra", "nt", "ORG"),
    ("msra", "ORG", "ORG"),
    ("msra", "per", "PER"),  # case-insensitive fallback
    ("ontonotes4", "PER", "PER"),
    ("ontonotes4", "ORG", "ORG"),
    ("ontonotes4", "GPE", "GPE"),
    ("ontonotes4", "LOC", "LOC"),
    ("weibo", "PER.NAM", "PER"),
    ("weibo", "ORG.NAM", "ORG"),
    ("weibo", "GPE.NAM", "GPE"),
    ("weibo", "LOC.NAM", "LOC"),
    ("weibo", "PER.NOM", None),
    ("weibo", "LOC.NOM", None),
]


@pytest.mark.parametrize(("name", "native", "label"), TABLE)
def test_map_table(name: str, native: str, label: str | None) -> None:
    m = LABEL_MAPS[name]
    assert m.map(native) == label
    assert m.is_known(native)


def test_unknown_native() -> None:
    assert LABEL_MAPS["msra"].map("book") is None
    assert not LABEL_MAPS["msra"].is_known("book")


def test_declared_labels_and_merges() -> None:
    assert LABEL_MAPS["msra"].labels == ("PER", "ORG", "GPE")
    assert LABEL_MAPS["msra"].merged == (("GPE", "LOC"),)
    assert LABEL_MAPS["ontonotes4"].labels == ("PER", "ORG", "GPE", "LOC")
    assert LABEL_MAPS["ontonotes4"].merged == ()
    assert LABEL_MAPS["weibo"].labels == ("PER", "ORG", "GPE", "LOC")
    assert LABEL_MAPS["cluener"].labels == ("PER", "ORG", "GPE", "TITLE")
    assert LABEL_MAPS["cluener"].unsupported == {"scene", "book", "game", "movie"}
    for m in LABEL_MAPS.values():
        assert set(m.labels) <= set(LABELS)
        for group in m.merged:
            assert set(group) <= set(LABELS)


@pytest.mark.parametrize(
    ("id2label", "name"),
    [
        (["O", "B-PER", "M-PER", "E-PER", "S-PER", "B-LOC", "E-LOC", "B-ORG", "E-ORG"], "msra"),
        (["O", "B-nr", "I-nr", "B-ns", "I-ns", "B-nt", "I-nt"], "msra"),
        (["O", "B-PER", "I-PER", "B-LOC", "I-LOC"], "msra"),
        (["O", "B-PER", "I-PER", "B-GPE", "I-GPE", "B-LOC", "B-ORG"], "ontonotes4"),
        (["O", "B-GPE", "I-GPE"], "ontonotes4"),
        (["O", "B-name", "I-name", "B-company", "B-book", "S-movie"], "cluener"),
        (["O", "B-PER.NAM", "I-PER.NAM", "B-LOC.NOM"], "weibo"),
        (["O", "B-PER.NAM", "I-PER.NAM", "B-ORG.NAM"], "weibo"),
        (["O", "B-DATE", "I-DATE", "B-EVENT", "B-TITLE", "B-PER"], "benchmark"),
    ],
)
def test_detection(id2label: list[str], name: str) -> None:
    assert detect_label_map(id2label).name == name


@pytest.mark.parametrize(
    "id2label",
    [["O", "B-PER", "B-DISEASE"], ["LABEL_0", "LABEL_1"], ["O"]],
)
def test_detection_fails_clearly(id2label: list[str]) -> None:
    with pytest.raises(LabelMapError, match="label_map"):
        detect_label_map(id2label)
