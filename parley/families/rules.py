"""A transparent lexicon-and-pattern classifier.

Each label has cue patterns (verbs and idioms). A cue counts unless its left context in
the same clause neutralises it: a hedge or modal ("may accept", "is expected to sign"),
a demand ("urged Tehran to accept"), a denial ("did not reject", "failed to agree") or a
question. A negated or refused agreement cue ("did not accept", "refused to sign",
"will never agree") is a rejection. A reaction to a proposal whose maker is named
("rejected Moscow's offer") also fires `proposal`. Every decision names the pattern
that made it, so the baseline explains itself.

The same analysis feeds `CueFeaturizer`, which gives the trained models cue, negation
and hedge indicators that bag-of-words features cannot express.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parley.labels import LABELS

# Bump on any change to the patterns: linear and embed models use them as features and
# refuse to load under another version.
RULES_VERSION = 2

_OBJECT = (
    r"(?:deal|agreement|accord|pact|treaty|truce|ceasefire|cease-fire|armistice|compromise|"
    r"settlement|contract|memorandum|protocol|convention|charter|declaration|framework|"
    r"resolution|plan|proposal|offer|bid|terms|package|bill|law|budget|motion|merger|"
    r"takeover|acquisition|amendment|roadmap|road map|initiative|arrangement|understanding|"
    r"peace|communique|text|draft|partnership|alliance|coalition|swap|exchange|consensus)s?"
)
_DET = r"(?:the|a|an|its|their|his|her|our|this|that|these|those|any|new|fresh|revised|\w+'s|\w+s')"

PATTERNS: dict[str, list[tuple[str, str]]] = {
    "proposal": [
        ("propose", r"\b(?:propos(?:e|es|ed|ing))\b(?! (?:as|that it was) (?:an? )?explanation)"),
        ("counter-proposal", r"\bcounter[- ]?(?:proposals?|offers?|bids?|plans?)\b"),
        (
            "offer to act",
            r"\boffer(?:s|ed|ing)? to (?:mediate|host|help|broker|negotiate|hold|meet|talk|resume|pay|buy|acquire|withdraw|release|swap|exchange|return|cut|lift|reduce|suspend|share|provide|send|drop|extend|guarantee|facilitate|open|start|sell|take|give|free|hand)\b",
        ),
        (
            "offer a thing",
            r"\boffer(?:s|ed|ing)? (?:[\w'-]+ ){0,3}(?:an? |the |its |their |\$|£|€|\d)(?:\w+[- ]){0,3}(?:deal|truce|ceasefire|plan|package|terms|talks|concessions?|compromise|settlement|bid|price|raise|rise|increase|pay|wage|bonus|amnesty|aid|loan|guarantees?|exchange|swap|incentives?|premium|per share|pence|cents|million|billion|seat|post|ministry|role|immunity|dialogue|mediation|assistance|support|cut|reduction)\b",
        ),
        (
            "make an offer",
            r"\b(?:made|makes|making|make|submitted|submits|lodged|launched|tabled|tables|put in|sweetened|raised|improved|revised|renewed|extended|presented|delivered|sent|handed over|circulated|floated|unveiled|laid out|set out|outlined|drew up|drafted|put forward|puts forward|putting forward|pitched|mooted|advanced|rolled out|came forward with|came up with|came back with|offered)\b (?:\w+[- ]){0,4}(?:proposals?|offers?|bids?|plans?|blueprint|initiative|draft|resolution|terms|package|roadmap|road map|formula|framework|compromise|counterproposal|peace plan|deal|motion|amendment|invitation|overture|settlement)\b",
        ),
        (
            "put forward",
            r"\b(?:put|puts|putting) (?:forward|on the table)\b|\bon the table\b(?=.*\b(?:offer|plan|proposal|deal)s?\b)|\btabled\b|\bfloated\b|\bmooted\b",
        ),
        (
            "invite to talks",
            r"\binvit(?:e|es|ed|ing) (?:[\w'-]+ ){0,5}(?:to|for) (?:talks|negotiations|a meeting|a summit|meet|join|attend|visit|discuss|sit down|the table|a dialogue|dialogue)\b|\bextended an invitation\b|\binvitation to (?:talks|negotiat)",
        ),
        (
            "standing offer",
            r"\b(?:ready|willing|prepared|stands ready|offered) to (?:mediate|host|meet|negotiate|resume talks|start talks|hold talks|sit down|talk)\b(?! (?:only )?(?:if|when|once|under|provided))",
        ),
        (
            "bid for",
            r"\b(?:bid|bids|bidding) (?:[\w'-]+ ){0,2}(?:for|to buy|to acquire)\b|\btakeover (?:bid|offer|approach)\b|\bhostile bid\b",
        ),
        (
            "suggest joint action",
            r"\bsuggest(?:s|ed|ing)? (?:that (?:the (?:two|both) )?(?:sides|parties|countries|both|they|we)|(?:a|an|holding|creating|setting up|forming|establishing) )",
        ),
        (
            "named proposer",
            r"\b(?:proposals?|offers?|plans?|bids?|initiative|terms|draft|overture|package|roadmap) (?:(?:put forward|made|tabled|drawn up|floated|submitted|presented|proposed|offered|sent)(?: to \w+)? )?(?:from|by) (?!the way)\w+|(?:\b\w+(?:'s|s')|\bfrom \w+(?: \w+)?|\bby (?:the )?\w+(?: \w+)?|\bput forward by|\bproposed by|\boffered by|\btabled by|\bfloated by)\s*(?:\w+[- ]){0,3}(?:proposals?|offers?|plans?|bids?|initiative|terms|draft|overture|formula|package|roadmap)\b",
        ),
    ],
    "agreement": [
        (
            "agree",
            r"\bagre(?:e|es|ed|eing)\b(?! (?:well |closely |perfectly |broadly )?with (?:the |our |their |his |her |its |what |those |these |this |that )?(?:\w+ )?(?:data|models?|predictions?|predicted|theory|theories|results?|findings|observations?|experiments?|estimates?|measurements?|specifications?|expectations?|calculations?|figures|evidence|me|you|him|her|them|us|mine|yours|view|views|assessment|analysis|study|studies|survey))",
        ),
        ("accept", r"\baccept(?:s|ed|ing)?\b(?! (?:an?|the) (?:award|prize|honou?r|nomination|trophy|medal))"),
        (
            "sign",
            r"\bsign(?:s|ed|ing)?\b(?: (?:\S+ ){0,4}(?:deal|agreement|accord|pact|treaty|truce|ceasefire|cease-fire|armistice|settlement|memorandum|protocol|convention|declaration|framework|communique|bill|law|contracts?|deal|order|document|the dotted line|off|up to|on to|onto)\b)",
        ),
        ("ratify", r"\bratif(?:y|ies|ied|ying)\b|\bratification\b"),
        (
            "approve",
            r"\b(?:approv(?:e|es|ed|ing)|endors(?:e|es|ed|ing)|adopt(?:s|ed|ing)? (?:[\w'-]+ ){0,3}(?:resolution|text|declaration|agreement|deal|plan|budget|bill|framework|package|proposal|statement|communique|rulebook|treaty|motion|deal))\b",
        ),
        (
            "green light",
            r"\b(?:gave|given|gives|giving|give|got|won|received|wins) (?:[\w'-]+ ){0,3}(?:green light|go-ahead|go ahead|nod|blessing|seal of approval|thumbs[- ]up|approval)\b|\bsigned off on\b|\brubber[- ]stamp(?:s|ed|ing)?\b|\bwaved through\b|\bnodded through\b|\bok(?:'d|ayed|ed)\b",
        ),
        (
            "reach a deal",
            r"\b(?:reach(?:ed|es|ing)?|struck|strike|strikes|striking|clinch(?:ed|es|ing)?|seal(?:ed|s|ing)?|ink(?:ed|s|ing)?|hammer(?:ed|s|ing)? out|forg(?:e|ed|es|ing)|secur(?:ed|es|ing)|broker(?:ed|s|ing)?|conclud(?:ed|es|ing)|finali[sz](?:ed|es|ing)|nail(?:ed|s|ing)? down|thrash(?:ed|es|ing)? out|cut|cuts|shook hands on|shake hands on|came to|come to|arrived at)\b (?:\w+[- ]){0,4}(?:deal|agreement|accord|pact|truce|ceasefire|cease-fire|compromise|settlement|consensus|understanding|terms|arrangement|bargain|treaty)s?\b",
        ),
        (
            "deal reached",
            r"\b(?:deal|agreement|accord|compromise|settlement|consensus|truce|ceasefire|understanding)s? (?:was|were|has been|had been|have been|is) (?:[\w'-]+ )?(?:reached|struck|agreed|sealed|signed|clinched|finalised|finalized|concluded|approved|ratified|hammered out)\b",
        ),
        (
            "consent",
            r"\b(?:consent(?:s|ed|ing)? to|acced(?:e|es|ed|ing)\b|conced(?:e|es|ed|ing) (?:\w+ ){0,2}to (?:\S+ ){0,3}demands?|bow(?:s|ed|ing)? to (?:[\w'-]+ ){0,2}(?:demands?|pressure|calls?)|gave in to|caved (?:in )?to|conced(?:e|es|ed|ing) to|signed up to|signed on to|agreed to|acquiesc(?:e|es|ed|ing))\b",
        ),
        (
            "took up offer",
            r"\b(?:took|take|takes|taking) up (?:[\w'-]+ ){0,3}(?:offer|invitation|proposal)\b|\bsaid yes\b|\bsay yes\b|\bvoted (?:yes|in favou?r|to (?:accept|approve|back|ratify|endorse))\b|\bembrac(?:e|ed|es|ing) (?:[\w'-]+ ){0,3}(?:plan|proposal|offer|deal|terms)\b",
        ),
        (
            "passed",
            r"\b(?:pass(?:ed|es|ing)?|voted through|cleared|clears|clearing|adopted)\b (?:\w+[- ]){0,4}(?:bill|law|legislation|budget|resolution|motion|measure|merger|takeover|deal|acquisition|amendment|package|treaty|reform)s?\b|\b(?:bill|law|legislation|budget|resolution|motion|measure|merger|takeover|deal|acquisition)s? (?:was|were|has been|had been) (?:[\w'-]+ )?(?:passed|adopted|approved|cleared|voted through)\b",
        ),
        (
            "signed treaty",
            r"\b(?:agreement|accord|treaty|deal|contract|pact|declaration|protocol|memorandum|convention)s? (?:\S+ ){0,2}signed (?:in|on|by|with|at|between|last|earlier)\b",
        ),
        (
            "settle",
            r"\bsettled (?:the|their|its|a) (?:dispute|strike|case|row|claim|lawsuit|suit)\b|\bcame to terms\b|\bcome to terms\b",
        ),
    ],
    "rejection": [
        ("reject", r"\breject(?:s|ed|ing|ion)?\b"),
        (
            "refuse",
            r"\brefus(?:e|es|ed|ing|al)\b(?! to (?:comment|say|speculate|confirm|elaborate|be drawn|discuss (?:details|the matter)|disclose|name))",
        ),
        (
            "decline",
            r"\bdeclin(?:e|es|ed|ing)\b (?:to (?!comment|say|speculate|confirm|elaborate|be drawn|disclose|name|give|discuss details|its|their|a|an|the|about|around|some|just|only|under|below|roughly|nearly|almost|less|fewer|levels?|\d|\$|£|€)\w+|(?:an?|the|his|her|its|their|our|this|that|all|any) (?:[\w'-]+ ){0,3}(?:offer|invitation|proposal|request|plan|bid|demand|deal|terms|call|appeal|treatment|surgery|nomination|post|job|role))",
        ),
        ("turn down", r"\bturn(?:s|ed|ing)? (?:[\w'-]+ ){0,3}down\b|\bturned it down\b"),
        (
            "rebuff",
            r"\b(?:rebuff(?:s|ed|ing)?|spurn(?:s|ed|ing)?|snub(?:s|bed|bing)?|brush(?:ed|es|ing)? (?:[\w'-]+ ){0,2}aside|brush(?:ed|es|ing)? off|swept aside|(?:shot|shoot|shoots|shooting|slapped) down (?:\S+ ){0,3}(?:idea|plan|proposals?|offer|bid|suggestion|notion|request|deal|motion|amendment|initiative|overture)s?|knocked back|dismiss(?:ed|es|ing)? (?:[\w'-]+ ){0,4}(?:as|proposal|offer|plan|idea|calls?|demands?|bid|overture|suggestion|request|appeal|terms|deal))\b",
        ),
        (
            "veto",
            r"\bvet(?:o|oed|oes|oing)\b|\bvoted (?:down|against|no)\b|\bvote (?:down|against)\b|\b(?:blocked|blocks|blocking|block|torpedoed|scuppered|sank|sunk|killed|nixed|scrapped|threw out|throws out|thrown out|tossed out|struck down|quashed|overturned)\b (?:\w+[- ]){0,4}(?:deal|merger|takeover|bid|plan|proposal|resolution|bill|motion|offer|agreement|accord|acquisition|measure|amendment|treaty|law|sale|terms|initiative|draft|text)s?\b",
        ),
        ("rule out", r"\brul(?:e|es|ed|ing) out\b"),
        (
            "cold water",
            r"\bpour(?:s|ed|ing)? cold water on\b|\bslam(?:s|med|ming)? the door on\b|\bclos(?:ed|es|ing) the door on\b|\bbalk(?:s|ed|ing)? at\b|\bbaulk(?:s|ed|ing)? at\b|\bwalked away from\b|\bsaid no\b|\bsays no\b|\bsay no\b|\bthumbs[- ]down\b|\bgave short shrift\b|\bwould have none of\b|\bwant(?:s|ed)? no part\b|\bdug in (?:its|their|his|her) heels\b",
        ),
        (
            "verdict",
            r"\b(?:unacceptable|non-?starter|dead on arrival|out of the question|not acceptable|a trick|a ploy|a red line|a nonstarter|off the table|not on the table|no basis for|not worth the paper)\b",
        ),
        (
            "refused act",
            r"\b(?:will|would|shall|could|can|did|does|do|is|are|was|were|has|have|had)(?:n't| not| never)\b (?:[\w'-]+ ){0,2}(?:accept|agree|sign|approve|endorse|ratify|back|support|consider|entertain|countenance|negotiate|return to the table|take part|join)\b|\b(?:never|won't|cannot|can't) (?:[\w'-]+ ){0,2}(?:accept|agree|sign|approve|ratify|endorse|countenance|entertain)\b",
        ),
    ],
}

# Left-context cues (same clause, up to HEDGE_WINDOW tokens before the cue).
HEDGE_WINDOW = 6
_HEDGE = re.compile(
    r"\b(?:may|might|could|would|should|must|can|shall|will|expected|likely|unlikely|whether|if|unless|would-be|"
    r"(?:set|poised|due|(?:plans?|planned|planning|intends?|intended|aims?|aimed|seeks?|sought|seeking|wants?|wanted|"
    r"hopes?|hoped|hoping|trying|tried|tries|attempts?|attempted|ready|willing|prepared|able|preparing|about|close|"
    r"refused|declined|failed|fails|failing|yet|deadline|efforts?|bid|push|chance|needs?|needed|have|has|had|order|so as)) to|"
    r"considering|considers|considered|weighing|weighs|mulling|urged?|urging|urges|(?:calls?|called|calling) (?:on|for)|"
    r"asked|asks|asking|demanded|demands|demanding|pressed|pressing|pressured|pressuring|pushed|pushing|encouraged|"
    r"appealed|invited|told|ordered|threatened|threatens|threatening|possible|possibly|perhaps|potential|potentially|nearing)\b",
    re.I,
)
_NEGATION = re.compile(r"\b(?:not|never|no longer|neither|nor|without|denied|denies|deny|n't)\b|n't\b", re.I)
_REFUSAL_FRAME = re.compile(
    r"\b(?:refus(?:ed|es|e|ing)|declin(?:ed|es|e|ing)) to\b|\b(?:will|would|shall|could|can|did|does|do|is|are|was|were|has|have|had)(?:n't| not| never)\b|\bnever\b|\bwon't\b|\bcannot\b|\bcan't\b",
    re.I,
)
_FAILED = re.compile(r"\b(?:failed|fail|fails|failing|unable|no) to\b|\bwithout\b|\bno\b", re.I)
_PROPOSAL_OBJECT = re.compile(
    r"\b(?:plans?|proposals?|offers?|terms|deal|draft|text|resolution|bids?|demands?|conditions|ceasefire|truce|idea|"
    r"package|agreement|accord|settlement|compromise|initiative|suggestion|request|formula|framework|roadmap|motion|it)\b",
    re.I,
)
_CLAUSE_BREAK = re.compile(r"[;:,]\s|\b(?:but|while|whereas|although|though|after|before|and then|which|who)\b", re.I)


@dataclass(frozen=True, slots=True)
class Evidence:
    label: str
    pattern: str
    match: str
    start: int
    status: str  # "fires", "negated", "hedged", "refused" (negated agreement -> rejection)


_COMPILED = {label: [(name, re.compile(rx, re.I)) for name, rx in pats] for label, pats in PATTERNS.items()}


def _left_context(text: str, start: int) -> str:
    left = text[max(0, start - 120) : start]
    breaks = list(_CLAUSE_BREAK.finditer(left))
    if breaks:
        left = left[breaks[-1].end() :]
    tokens = left.split()
    return " ".join(tokens[-HEDGE_WINDOW:])


# Literal substrings (of the case-folded sentence) that every match of a pattern contains.
# Most real sentences contain none of them, and most of the rest only a few: checking
# substrings first skips the regular expressions that cannot match (8x faster on real
# news). tests/test_rules.py checks that gating never changes the analysis.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "propose": ("propos",),
    "counter-proposal": ("counter",),
    "offer to act": ("offer",),
    "offer a thing": ("offer",),
    "make an offer": (
        "propos",
        "offer",
        "bid",
        "plan",
        "blueprint",
        "initiative",
        "draft",
        "resolution",
        "terms",
        "package",
        "roadmap",
        "road map",
        "formula",
        "framework",
        "compromise",
        "deal",
        "motion",
        "amendment",
        "invitation",
        "overture",
        "settlement",
    ),
    "put forward": ("put", "on the table", "tabled", "floated", "mooted"),
    "invite to talks": ("invit",),
    "standing offer": ("ready", "willing", "prepared", "offered"),
    "bid for": ("bid", "takeover"),
    "suggest joint action": ("suggest",),
    "named proposer": (
        "propos",
        "offer",
        "plan",
        "bid",
        "initiative",
        "terms",
        "draft",
        "overture",
        "package",
        "roadmap",
        "formula",
    ),
    "agree": ("agre",),
    "accept": ("accept",),
    "sign": ("sign",),
    "ratify": ("ratif",),
    "approve": ("approv", "endors", "adopt"),
    "green light": (
        "green light",
        "go-ahead",
        "go ahead",
        "nod",
        "blessing",
        "thumbs",
        "approval",
        "signed off on",
        "rubber",
        "waved through",
        "ok'd",
        "okayed",
        "oked",
    ),
    "reach a deal": (
        "deal",
        "agreement",
        "accord",
        "pact",
        "truce",
        "ceasefire",
        "cease-fire",
        "compromise",
        "settlement",
        "consensus",
        "understanding",
        "terms",
        "arrangement",
        "bargain",
        "treaty",
    ),
    "deal reached": (
        "deal",
        "agreement",
        "accord",
        "compromise",
        "settlement",
        "consensus",
        "truce",
        "ceasefire",
        "understanding",
    ),
    "consent": (
        "consent",
        "acced",
        "conced",
        "bow",
        "gave in to",
        "caved",
        "signed up to",
        "signed on to",
        "agreed to",
        "acquiesc",
    ),
    "took up offer": ("offer", "invitation", "proposal", "said yes", "say yes", "voted", "embrac"),
    "passed": (
        "bill",
        "law",
        "legislation",
        "budget",
        "resolution",
        "motion",
        "measure",
        "merger",
        "takeover",
        "deal",
        "acquisition",
        "amendment",
        "package",
        "treaty",
        "reform",
    ),
    "signed treaty": ("signed",),
    "settle": ("settled", "to terms"),
    "reject": ("reject",),
    "refuse": ("refus",),
    "decline": ("declin",),
    "turn down": ("turn",),
    "rebuff": ("rebuff", "spurn", "snub", "brush", "swept aside", "down", "knocked back", "dismiss"),
    "veto": (
        "veto",
        "vote",
        "block",
        "torpedoed",
        "scuppered",
        "sank",
        "sunk",
        "killed",
        "nixed",
        "scrapped",
        "threw out",
        "throws out",
        "thrown out",
        "tossed out",
        "struck down",
        "quashed",
        "overturned",
    ),
    "rule out": ("rule out", "rules out", "ruled out", "ruling out"),
    "cold water": (
        "cold water",
        "the door on",
        "balk",
        "baulk",
        "walked away from",
        "said no",
        "says no",
        "say no",
        "thumbs",
        "short shrift",
        "none of",
        "no part",
        "dug in",
    ),
    "verdict": (
        "unacceptable",
        "starter",
        "dead on arrival",
        "out of the question",
        "not acceptable",
        "a trick",
        "a ploy",
        "a red line",
        "off the table",
        "not on the table",
        "no basis for",
        "not worth the paper",
    ),
    "refused act": ("n't", "not", "never"),
}
_ALL_TRIGGERS = tuple(sorted({t for triggers in TRIGGERS.values() for t in triggers}))
_GATED = [
    (label, name, pattern, frozenset(TRIGGERS[name]))
    for label, patterns in _COMPILED.items()
    for name, pattern in patterns
]


def _trie_pattern(words) -> str:
    """One regex for many literals, factored by shared prefixes so that most positions fail
    on their first character; optional tails are greedy, so the longest literal wins."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


# A lookahead finds the longest trigger at every position; the shorter ones it contains
# (a trigger that is its prefix, or inside it) are implied.
_TRIGGER_SCAN = re.compile(f"(?=({_trie_pattern(_ALL_TRIGGERS)}))")
_IMPLIED = {found: frozenset(t for t in _ALL_TRIGGERS if t in found) for found in _ALL_TRIGGERS}


def present_triggers(text: str) -> set[str]:
    """The triggers that occur in the case-folded text."""
    present: set[str] = set()
    for match in _TRIGGER_SCAN.finditer(text.casefold()):
        present |= _IMPLIED[match.group(1)]
    return present


def candidate_patterns(text: str) -> list[tuple[str, str, re.Pattern]]:
    """(label, name, pattern) for the patterns whose triggers occur in `text`."""
    present = present_triggers(text)
    if not present:
        return []
    return [(label, name, pattern) for label, name, pattern, triggers in _GATED if not present.isdisjoint(triggers)]


def analyse(text: str) -> list[Evidence]:
    """All cue matches with their status; the basis of both prediction and explanation."""
    evidence: list[Evidence] = []
    question = text.rstrip().endswith("?")
    for label, name, pattern in candidate_patterns(text):
        for match in pattern.finditer(text):
            left = _left_context(text, match.start())
            status = "fires"
            if name == "verdict" and not _PROPOSAL_OBJECT.search(text):
                continue  # "unacceptable allegations" judges an accusation, not an offer
            if name in ("verdict", "refused act", "named proposer"):
                status = "fires"
            elif label == "agreement" and _REFUSAL_FRAME.search(left):
                status = "refused"
            elif _FAILED.search(left) or _NEGATION.search(left):
                status = "negated"
            elif _HEDGE.search(left) or question:
                status = "hedged"
            evidence.append(Evidence(label, name, match.group(0), match.start(), status))
    return evidence


def decide(evidence: list[Evidence]) -> dict[str, list[Evidence]]:
    """Map evidence to labels: the firing cues per label (empty list: label off)."""
    fired: dict[str, list[Evidence]] = {label: [] for label in LABELS}
    for item in evidence:
        if item.status == "fires" and item.pattern != "named proposer":
            fired[item.label].append(item)
        elif item.status == "refused":
            fired["rejection"].append(item)
    reacted = fired["agreement"] or fired["rejection"]
    for item in evidence:
        if item.pattern == "named proposer" and reacted:
            fired["proposal"].append(item)
    return fired


class RulesScorer:
    """Scores are 0.9 where a cue fires and 0.1 otherwise, so thresholds at 0.5 reproduce the rules."""

    family = "rules"

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        scores = np.full((len(texts), len(LABELS)), 0.1)
        for row, text in enumerate(texts):
            fired = decide(analyse(text))
            for col, label in enumerate(LABELS):
                if fired[label]:
                    scores[row, col] = 0.9
        return scores

    def explain(self, text: str) -> dict[str, list[str]]:
        fired = decide(analyse(text))
        return {label: [f"{e.pattern}: {e.match!r} ({e.status})" for e in items] for label, items in fired.items()}


def load_rules(directory: Path, meta: dict) -> RulesScorer:
    """The rules need no weights: the lexicon is this module, its version checked in model.json."""
    return RulesScorer()


CUE_STATUSES = ("fires", "negated", "hedged", "refused")


def cue_features(texts: list[str]) -> np.ndarray:
    """Per text: for each label x status, the count of cues (capped at 2), plus a question flag
    and the named-proposer flag."""
    width = len(LABELS) * len(CUE_STATUSES) + len(LABELS) + 2
    out = np.zeros((len(texts), width), dtype=np.float32)
    for row, text in enumerate(texts):
        evidence = analyse(text)
        for item in evidence:
            if item.pattern == "named proposer":
                out[row, -1] = 1.0
                continue
            col = LABELS.index(item.label) * len(CUE_STATUSES) + CUE_STATUSES.index(item.status)
            out[row, col] = min(out[row, col] + 1.0, 2.0)
        fired = decide(evidence)
        for i, label in enumerate(LABELS):
            out[row, len(LABELS) * len(CUE_STATUSES) + i] = 1.0 if fired[label] else 0.0
        out[row, -2] = 1.0 if text.rstrip().endswith("?") else 0.0
    return out
