"""Test adapters for the harness: well-behaved, raising, hanging, malformed, secretive."""

from __future__ import annotations

import time
from dataclasses import dataclass

from benchmark.adapters import Adapter, Prediction
from benchmark.schema import Entity


class GoldNer(Adapter):
    """Returns the gold entities (read from the corpus), minus every other one if asked."""

    name = "t-gold"
    tasks = ("ner",)
    reads = "gold"

    @dataclass(frozen=True)
    class Options:
        every: int = 1

    def predict(self, task, documents):
        from benchmark.validate import load_corpus

        gold = {d.id: d.gold["ner"] for d in load_corpus()}
        return [Prediction(d.id, gold[d.id][:: self.options.every]) for d in documents]


class Raises(Adapter):
    name = "t-raises"
    tasks = ("ner",)

    def predict(self, task, documents):
        raise RuntimeError("model exploded")


class Hangs(Adapter):
    name = "t-hangs"
    tasks = ("ner",)

    def predict(self, task, documents):
        time.sleep(30)
        return []


class Malformed(Adapter):
    name = "t-malformed"
    tasks = ("ner",)

    def predict(self, task, documents):
        return [Prediction(d.id, [Entity(0, 2, "不是", "PER")]) for d in documents]


class Secretive(Adapter):
    name = "t-secret"
    tasks = ("ner",)

    @dataclass(frozen=True)
    class Options:
        api_key: str = ""
        api_key_env: str = "MY_KEY"

    def predict(self, task, documents):
        return [Prediction(d.id, []) for d in documents]


class Strings(Adapter):
    """Returns mentions as strings (like an LLM), including one that is not in the text."""

    name = "t-strings"
    tasks = ("ner",)

    def predict(self, task, documents):
        from benchmark.adapters import Mention

        out = []
        for d in documents:
            mentions = [Mention(0, "华西都市报", "ORG"), Mention(0, "四川", "GPE"), Mention(0, "成都", "GPE"),
                        Mention(1, "“四川”", "GPE")]  # fmt: skip
            out.append(Prediction(d.id, mentions=mentions))
        return out


class Noisy(GoldNer):
    """Prints to stdout while loading and predicting, as some taggers do."""

    name = "t-noisy"

    def load(self):
        print("Model loaded succeed")

    def predict(self, task, documents):
        print("predicting...")
        return super().predict(task, documents)


class Operational(GoldNer):
    """An option that cannot change predictions (like an LLM client's concurrency)."""

    name = "t-operational"
    operational_options = ("workers",)

    @dataclass(frozen=True)
    class Options:
        every: int = 1
        workers: int = 4


TEST_ADAPTERS = (GoldNer, Raises, Hangs, Malformed, Secretive, Strings, Noisy, Operational)


class LearnsLabels(GoldNer):
    """Like hf-ner with label_map=auto: declares its labels only once loaded, and reports info."""

    name = "t-learns"
    labels = ("PER", "ORG", "GPE", "LOC", "DATE", "EVENT", "TITLE")

    def load(self):
        self.labels = ("PER", "ORG")

    def predict(self, task, documents):
        preds = super().predict(task, documents)
        for p in preds:
            p.records = [r for r in p.records if r.label in self.labels]
            p.info["note"] = "kept PER and ORG"
            p.problems.append("a problem the tool reported")
        return preds


TEST_ADAPTERS = (*TEST_ADAPTERS, LearnsLabels)
