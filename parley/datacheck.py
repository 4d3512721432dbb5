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
            problems.append(
                Problem(record.path, record.line, f"unknown split {record.split!r}; expected {list(SPLITS)}")
            )
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
    problems += _check_twins(records)
    problems += _check_groups(records)
    problems += _check_label_coverage(records)
    return problems


def _duplicate(record: Record, first: Record, what: str) -> Problem:
    where = f"{first.path}:{first.line}"
    if record.split and first.split and record.split != first.split:
        return Problem(
            record.path, record.line, f"{what} leaks across splits ({record.split} here, {first.split} at {where})"
        )
    if record.labels != first.labels:
        return Problem(
            record.path,
            record.line,
            f"{what} with conflicting labels {list(record.labels)} vs {list(first.labels)} at {where}",
        )
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
            problems.append(
                Problem(
                    members[0].path,
                    members[0].line,
                    f"article {article!r} straddles splits {sorted(s or '-' for s in splits)}",
                )
            )
        positions = [r.position for r in members]
        if None not in positions:
            seen: dict[int, Record] = {}
            for r in members:
                if r.position in seen:
                    problems.append(Problem(r.path, r.line, f"article {article!r} repeats position {r.position}"))
                seen[r.position] = r
    return problems


def _check_twins(records: list[Record]) -> list[Problem]:
    """A twin must flip its original's labels and share its split (else the pair leaks)."""
    by_id = {r.id: r for r in records}
    problems = []
    for twin in records:
        if twin.twin_of is None:
            continue
        original = by_id.get(twin.twin_of)
        if original is None:
            problems.append(
                Problem(twin.path, twin.line, f"twin of {twin.twin_of!r}, which is not in the data checked", "warning")
            )
            continue
        if twin.split != original.split:
            problems.append(
                Problem(
                    twin.path,
                    twin.line,
                    f"twin in split {twin.split!r} but its original "
                    f"{original.id!r} is in {original.split!r} ({original.where()})",
                )
            )
        if twin.labels == original.labels:
            problems.append(
                Problem(
                    twin.path,
                    twin.line,
                    f"twin has the same labels {list(twin.labels)} as {original.id!r}: it flips nothing",
                )
            )
    return problems


# Corpus sentences are written here; real text under PARLEY_SHARED/external is for evaluation and
# for modelling constructions only, so no run of this many words may be shared with it.
SHARED_RUN_WORDS = 8
_WORDS = re.compile(r"[a-z0-9]+")


def word_runs(text: str, n: int = SHARED_RUN_WORDS) -> set[tuple[str, ...]]:
    words = _WORDS.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def check_shared_runs(records: list[Record], external: Path) -> list[Problem]:
    """An error for every record sharing a run of 8 words with a text under `external`."""
    import json

    theirs: set[tuple[str, ...]] = set()
    for path in sorted(external.rglob("*.jsonl")):
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    theirs |= word_runs(json.loads(line).get("text", ""))
                except (ValueError, AttributeError):
                    continue
    problems = []
    external = external.resolve()
    for record in records:
        if Path(record.path).resolve().is_relative_to(external):
            continue  # the external files themselves
        shared = word_runs(record.text) & theirs
        if shared:
            run = " ".join(min(shared))
            problems.append(
                Problem(
                    record.path,
                    record.line,
                    f"shares the {SHARED_RUN_WORDS}-word run {run!r} with "
                    f"{external}: write it in the project's own words",
                )
            )
    return problems


def _check_groups(records: list[Record]) -> list[Problem]:
    groups: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        if record.group is not None:
            groups[record.group].append(record)
    return [
        Problem(members[0].path, members[0].line, f"contrast group {group!r} has a single member")
        for group, members in groups.items()
        if len(members) < 2
    ]


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


def check_paths(paths: list[str | Path], external: Path | None = None) -> tuple[list[Record], list[Problem]]:
    """Read and check records; with `external` (a folder of real text), also for copied runs."""
    problems: list[Problem] = []
    records = load_records(paths, problems=problems)
    problems += check_records(records)
    if external is not None and external.is_dir():
        problems += check_shared_runs(records, external)
    return records, problems
