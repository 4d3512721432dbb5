"""`parley data stats`: counts per label, split, domain; co-occurrence; sentence length."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import numpy as np

from parley.datacheck import word_runs
from parley.io import Record
from parley.labels import LABELS

_DIRECT_VERBS = re.compile(r"\b(?:propos|agree|reject|accept|offer)", re.I)


def corpus_stats(records: list[Record]) -> dict:
    lengths = np.asarray([len(r.text.split()) for r in records]) if records else np.zeros(1)
    positives = [r for r in records if r.labels]
    by_split: dict[str, Counter] = defaultdict(Counter)
    by_domain: dict[str, Counter] = defaultdict(Counter)
    articles_by_split: dict[str, set] = defaultdict(set)
    for r in records:
        for key, table in ((r.split or "-", by_split), (r.domain or r.source or "-", by_domain)):
            table[key]["sentences"] += 1
            table[key]["none"] += 0 if r.labels else 1
            for label in r.labels:
                table[key][label] += 1
        if r.article_id:
            articles_by_split[r.split or "-"].add(r.article_id)
    cooccurrence = {a: {b: sum(1 for r in records if a in r.labels and b in r.labels) for b in LABELS} for a in LABELS}
    label_sets = Counter("+".join(r.labels) or "(none)" for r in records)
    return {
        "sentences": len(records),
        "articles": len({r.article_id for r in records if r.article_id}),
        "labels": {label: sum(1 for r in records if label in r.labels) for label in LABELS},
        "none": len(records) - len(positives),
        "none_share": (len(records) - len(positives)) / max(len(records), 1),
        "indirect_share": sum(1 for r in positives if not _DIRECT_VERBS.search(r.text)) / max(len(positives), 1),
        "by_split": {k: dict(v) for k, v in sorted(by_split.items())},
        "articles_by_split": {k: len(v) for k, v in sorted(articles_by_split.items())},
        "by_domain": {k: dict(v) for k, v in sorted(by_domain.items())},
        "cooccurrence": cooccurrence,
        "label_sets": dict(label_sets.most_common()),
        "length_words": {
            "min": int(lengths.min()),
            "median": float(np.median(lengths)),
            "mean": round(float(lengths.mean()), 1),
            "p95": float(np.percentile(lengths, 95)),
            "max": int(lengths.max()),
        },
    }


# Words that make a sentence a candidate for an act: the trigger verbs and act nouns of news.
TRIGGER = re.compile(
    r"\b(?:agree\w*|accept\w*|offer\w*|propos\w*|reject\w*|refus\w*|deals?|plans?|bids?|talks|sign(?:s|ed|ing)?|"
    r"back(?:s|ed|ing)?|approv\w*|veto\w*|vot(?:e|es|ed|ing)|endors\w*|ratif\w*|accord|treaty|compromise|"
    r"settle\w*|dismiss\w*|oppos\w*|support\w*|terms|truce|ceasefire|pact)\b",
    re.I,
)
_TOKEN = re.compile(r"[A-Za-z][\w'’.-]*")
LONG_SENTENCE_WORDS = 30


def news_shape(texts: list[str], labels: list[tuple[str, ...]] | None = None) -> dict:
    """What makes text look like news, comparable between the corpus and unlabelled pools:
    length percentiles, long sentences, quotes, capitalised tokens past the first word (names),
    and with labels the act rate and, among sentences holding a trigger word, non-acts per act."""
    lengths = np.asarray([len(t.split()) for t in texts]) if texts else np.zeros(1)
    names = [sum(1 for w in _TOKEN.findall(t)[1:] if w[0].isupper()) for t in texts]
    shape = {
        "sentences": len(texts),
        "length_p50": float(np.percentile(lengths, 50)),
        "length_p90": float(np.percentile(lengths, 90)),
        "over_30_words": float((lengths > LONG_SENTENCE_WORDS).mean()),
        "quote_rate": float(np.mean([bool(re.search(r"[\"“”]", t)) for t in texts])) if texts else 0.0,
        "names_per_sentence": float(np.mean(names)) if names else 0.0,
        "trigger_rate": float(np.mean([bool(TRIGGER.search(t)) for t in texts])) if texts else 0.0,
    }
    if labels is not None:
        triggered = [bool(lab) for t, lab in zip(texts, labels) if TRIGGER.search(t)]
        acts = sum(triggered)
        shape["any_act_rate"] = float(np.mean([bool(lab) for lab in labels])) if labels else 0.0
        shape.update(
            {f"{label}_rate": float(np.mean([label in lab for lab in labels])) if labels else 0.0 for label in LABELS}
        )
        shape["trigger_nonacts_per_act"] = (len(triggered) - acts) / acts if acts else float("inf")
    return shape


def four_grams(text: str) -> set[tuple[str, ...]]:
    return word_runs(text, 4)


def overused_four_grams(act_texts: list[str], pool_texts: list[str], top: int = 30) -> list[dict]:
    """The `top` most frequent 4-grams of the corpus's act sentences, each with its rate there
    and among pool sentences holding a trigger word (add-one smoothed): templated phrasing
    shows as a ratio far above 1."""
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    for text in act_texts:
        for gram in four_grams(text):
            counts[gram] += 1
    candidates = [t for t in pool_texts if TRIGGER.search(t)]
    chosen = sorted(counts, key=lambda g: (-counts[g], g))[:top]
    in_pool = {gram: 0 for gram in chosen}
    for text in candidates:
        for gram in four_grams(text) & in_pool.keys():
            in_pool[gram] += 1
    return [
        {
            "four_gram": " ".join(g),
            "corpus_per_10k": 1e4 * counts[g] / max(len(act_texts), 1),
            "pool_per_10k": 1e4 * in_pool[g] / max(len(candidates), 1),
            "ratio": (counts[g] / max(len(act_texts), 1)) / ((in_pool[g] + 1) / (len(candidates) + 1)),
        }
        for g in chosen
    ]
