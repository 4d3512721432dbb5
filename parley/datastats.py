"""`parley data stats`: counts per label, split, domain; co-occurrence; sentence length."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import numpy as np

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
            "min": int(lengths.min()), "median": float(np.median(lengths)), "mean": round(float(lengths.mean()), 1),
            "p95": float(np.percentile(lengths, 95)), "max": int(lengths.max()),
        },
    }
