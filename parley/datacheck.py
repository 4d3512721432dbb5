"""`parley data check`: schema, duplicates, leaks across splits and label sanity."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from parley.io import Problem, Record, load_records
from parley.labels import LABELS
from parley.splits import SPLITS

_NON_WORD = re.compile(r"[^a-z]+")
_SPACE = re.compile(r"\s+")


def exact_key(text: str) -> str:
    return _SPACE.sub(" ", text.strip().lower())


def near_key(text: str) -> str:
    """Letters only: catches copies that differ in numbers, punctuation, case or spacing."""
    return _NON_WORD.sub("", text.lower())


def check_records(records: list[Record]) -> list[Problem]:
    problems: list[Problem] = []
    exact: dict[str, Record] = {}
    near: dict[str, Record] = {}
    for record in records:
        if record.split is not None and record.split not in SPLITS:
            problems.append(Problem(record.path, record.line, f"unknown split {record.split!r}; expected {list(SPLITS)}"))
        if len(record.text.strip()) < 3:
            problems.append(Problem(record.path, record.line, "text shorter than 3 characters", "warning"))
        key = exact_key(record.text)
        first = exact.get(key)
        if first is not None:
            problems.append(_duplicate(record, first, "duplicate sentence"))
            continue
        exact[key] = record
        loose = near_key(record.text)
        first = near.get(loose) if len(loose) >= 20 else None
        if first is not None:
            problems.append(_duplicate(record, first, "near-duplicate sentence"))
        else:
            near[loose] = record
    problems += _check_articles(records)
    problems += _check_groups(records)
    problems += _check_label_coverage(records)
    return problems


def _duplicate(record: Record, first: Record, what: str) -> Problem:
    where = f"{first.path}:{first.line}"
    if record.split and first.split and record.split != first.split:
        return Problem(record.path, record.line, f"{what} leaks across splits ({record.split} here, {first.split} at {where})")
    if record.labels != first.labels:
        return Problem(record.path, record.line,
                       f"{what} with conflicting labels {list(record.labels)} vs {list(first.labels)} at {where}")
    severity = "error" if what == "duplicate sentence" else "warning"
    return Problem(record.path, record.line, f"{what} of {where}", severity)


def _check_articles(records: list[Record]) -> list[Problem]:
    problems = []
    by_article: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        if record.article_id is not None:
            by_article[record.article_id].append(record)
    for article, members in by_article.items():
        splits = {r.split for r in members}
        if len(splits) > 1:
            problems.append(Problem(members[0].path, members[0].line,
                                    f"article {article!r} straddles splits {sorted(s or '-' for s in splits)}"))
        positions = [r.position for r in members]
        if None not in positions:
            seen: dict[int, Record] = {}
            for r in members:
                if r.position in seen:
                    problems.append(Problem(r.path, r.line, f"article {article!r} repeats position {r.position}"))
                seen[r.position] = r
    return problems


def _check_groups(records: list[Record]) -> list[Problem]:
    groups: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        if record.group is not None:
            groups[record.group].append(record)
    return [Problem(members[0].path, members[0].line, f"contrast group {group!r} has a single member")
            for group, members in groups.items() if len(members) < 2]


def _check_label_coverage(records: list[Record]) -> list[Problem]:
    problems = []
    by_file: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_file[record.path].append(record)
    for path, members in by_file.items():
        for label in LABELS:
            if not any(label in r.labels for r in members):
                problems.append(Problem(path, None, f"no record carries label {label!r}", "warning"))
    return problems


def check_paths(paths: list[str | Path]) -> tuple[list[Record], list[Problem]]:
    problems: list[Problem] = []
    records = load_records(paths, problems=problems)
    problems += check_records(records)
    return records, problems
