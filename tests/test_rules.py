"""The rules family against the spec's own examples (labels.md) and edge rules."""

import json

import pytest

from parley.families import rules
from parley.families.rules import PATTERNS, TRIGGERS, RulesScorer, analyse, cue_features, present_triggers
from tests.conftest import ROOT, SHARED

SPEC = [
    ("Zelensky unveiled a new 20-point peace plan.", {"proposal"}),
    ("Trump proposed creating two bilateral working groups.", {"proposal"}),
    ("Poroshenko rejected a peace plan proposed to him by Putin.", {"proposal", "rejection"}),
    ("Beijing offered to host the next round of talks.", {"proposal"}),
    ("Moscow rejected the proposal.", {"rejection"}),
    ("The EU demanded that troops withdraw.", set()),
    ("Zelensky hopes to reach a peace framework.", set()),
    ("Putin accepted a proposal from Trump to continue diplomatic efforts.", {"agreement", "proposal"}),
    ("Both sides signed a prisoner-exchange deal on Friday.", {"agreement"}),
    ("Parliament ratified the treaty.", {"agreement"}),
    ("Talks ended without agreement.", set()),
    ("The call was described as friendly and constructive.", set()),
    ("Kyiv ruled out any territorial concessions.", {"rejection"}),
    ("The Kremlin said it would not accept a temporary ceasefire.", {"rejection"}),
    ("Peskov said Putin did not reject the US plan.", set()),
    ("Russia warned it would pursue its objectives by military means.", set()),
    ("Iran is expected to sign the deal next week.", set()),
    ("The union failed to agree on a date.", set()),
    ("Sales declined four percent in March.", set()),
    ("The club signed a new striker.", set()),
    ("The board gave the green light to the merger.", {"agreement"}),
    ("The opposition poured cold water on the plan.", {"rejection"}),
]


@pytest.mark.parametrize("text,expected", SPEC)
def test_spec_examples(text, expected):
    scorer = RulesScorer()
    predicted = {
        label for label, on in zip(("proposal", "agreement", "rejection"), scorer.predict_proba([text])[0] > 0.5) if on
    }
    assert predicted == expected, scorer.explain(text)


def test_explanations_name_the_pattern():
    explanation = RulesScorer().explain("The Kremlin said it would not accept a temporary ceasefire.")
    assert any("refused act" in item for item in explanation["rejection"])
    assert explanation["agreement"] == []


def test_cue_features_separate_negated_from_plain():
    plain, negated, hedged = cue_features(
        ["They accepted the plan.", "They did not accept the plan.", "They may accept the plan."]
    )
    assert (plain != negated).any() and (plain != hedged).any() and (negated != hedged).any()


def _repo_and_external_texts():
    files = sorted((ROOT / "data").rglob("*.jsonl")) + sorted((SHARED / "external").glob("*.jsonl"))
    return [json.loads(line)["text"] for path in files for line in path.open(encoding="utf-8") if line.strip()]


def test_every_pattern_has_triggers():
    assert set(TRIGGERS) == {name for patterns in PATTERNS.values() for name, _ in patterns}
    assert all(trigger == trigger.casefold() for triggers in TRIGGERS.values() for trigger in triggers)


def test_trigger_scan_finds_exactly_the_substrings():
    texts = _repo_and_external_texts()[:20000] + ["didn't", "cannot", "agreed to", "signed off on", "ok'doked"]
    for text in texts:
        folded = text.casefold()
        assert present_triggers(text) == {t for t in rules._ALL_TRIGGERS if t in folded}, text


def test_trigger_gating_never_changes_the_analysis(monkeypatch):
    """Gating skips patterns whose trigger substrings are absent; it must be a pure speed-up."""
    texts = _repo_and_external_texts() + [
        "The board OK'd the sale.",
        "IT WAS REJECTED OUTRIGHT.",
        "The ſigned accord held.",
        "Ruling out talks, he left.",
        "They didn't accept.",
        "Under the road map put forward by Cairo, both sides said yes.",
    ]
    gated = [analyse(text) for text in texts]
    every_pattern = [
        (label, name, pattern) for label, patterns in rules._COMPILED.items() for name, pattern in patterns
    ]
    monkeypatch.setattr(rules, "candidate_patterns", lambda text: every_pattern)
    ungated = [analyse(text) for text in texts]
    differing = [text for text, a, b in zip(texts, gated, ungated) if a != b]
    assert not differing, differing[:5]
    assert sum(1 for evidence in gated if evidence) > 1000  # the check covered real matches
