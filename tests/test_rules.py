"""The rules family against the spec's own examples (labels.md) and edge rules."""

import pytest

from parley.families.rules import RulesScorer, cue_features

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
    predicted = {label for label, on in zip(("proposal", "agreement", "rejection"), scorer.predict_proba([text])[0] > 0.5) if on}
    assert predicted == expected, scorer.explain(text)


def test_explanations_name_the_pattern():
    explanation = RulesScorer().explain("The Kremlin said it would not accept a temporary ceasefire.")
    assert any("refused act" in item for item in explanation["rejection"])
    assert explanation["agreement"] == []


def test_cue_features_separate_negated_from_plain():
    plain, negated, hedged = cue_features(["They accepted the plan.", "They did not accept the plan.",
                                           "They may accept the plan."])
    assert (plain != negated).any() and (plain != hedged).any() and (negated != hedged).any()
