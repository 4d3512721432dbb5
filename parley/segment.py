"""Sentence segmentation with character offsets into the original text.

spaCy's rule-based `sentencizer` on a blank English pipeline: its tokenizer already knows
abbreviations ("U.S.", "Mr.", "a.m."), and it keeps closing quotes with their sentence. It
was measured against the statistical `senter` and the full parser of en_core_web_sm
(benchmarks/segmentation.py): as accurate on the hand-checked news cases (abbreviations,
quotes, numbers) and 8-25x faster on real news.
Line structure is used first: blank lines separate paragraphs, and a short line without
final punctuation (a headline, dateline or byline) is its own sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from parley.imports import without_torch

# spaCy's tokenizer memory grows with the text; long blocks are cut at a sentence-final
# punctuation mark (or whitespace) into chunks of at most this many characters.
MAX_CHUNK_CHARS = 200_000
HEADLINE_MAX_CHARS = 160
# News abbreviations spaCy's English tokenizer does not already keep whole.
EXTRA_ABBREVIATIONS = (
    "ret.",
    "No.",
    "Nos.",
    "Supt.",
    "Insp.",
    "Det.",
    "Cmdr.",
    "Brig.",
    "Amb.",
    "Sec.",
    "Atty.",
    "approx.",
    "est.",
    "Gov't.",
    "Cie.",
    "Bhd.",
    "Pty.",
    "Sdn.",
)
_OPENING_QUOTE_AT_END = re.compile(r"\s[\"“‘']$")
_FINAL_PUNCT = tuple(".!?:;\"'”’)…")
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_NON_SPACE = re.compile(r"\S")  # exactly the characters str.isspace() rejects
# spaCy's vocabulary keeps every word it has seen; past this many the pipeline is rebuilt,
# so memory stays flat over any amount of text.
VOCAB_LIMIT = 300_000


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def _pipeline():
    with without_torch():
        import spacy

    from spacy.attrs import IS_PUNCT
    from spacy.symbols import ORTH

    nlp = spacy.blank("en")
    # Each new word gets about twenty lexical attributes computed; the sentencizer reads
    # only IS_PUNCT, and computing just that halves splitting time on unseen text.
    nlp.vocab.lex_attr_getters = {IS_PUNCT: nlp.vocab.lex_attr_getters[IS_PUNCT]}
    for abbreviation in EXTRA_ABBREVIATIONS:
        nlp.tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])
    nlp.add_pipe("sentencizer")
    nlp.max_length = MAX_CHUNK_CHARS + 1
    return nlp


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Paragraphs, then headline-like lines inside them, as (start, end) offsets."""
    start = 0
    for match in _PARAGRAPH.finditer(text):
        yield from _lines(text, start, match.start())
        start = match.end()
    yield from _lines(text, start, len(text))


def _lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    block_start = start
    while True:
        newline = text.find("\n", start, end)
        if newline < 0:
            break
        line = text[start:newline].strip()
        headline = line and len(line) <= HEADLINE_MAX_CHARS and not line.endswith(_FINAL_PUNCT)
        if headline and _next_is_upper(text, newline + 1, end):
            yield block_start, newline
            block_start = newline + 1
        start = newline + 1
    yield block_start, end


def _next_is_upper(text: str, start: int, end: int) -> bool:
    """Whether the first non-space character of text[start:end] is upper case, found without
    copying the rest of the block (a copy per line made a 2 MB block of wrapped lines take 0.7 s,
    a 50 MB one minutes)."""
    found = _NON_SPACE.search(text, start, end)
    return found is not None and found.group().isupper()


def _chunks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while end - start > MAX_CHUNK_CHARS:
        window = text[start : start + MAX_CHUNK_CHARS]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        if cut <= 0:
            cut = max(window.rfind(" "), window.rfind("\n"))
        cut = cut + 1 if cut > 0 else MAX_CHUNK_CHARS
        yield start, start + cut
        start += cut
    yield start, end


def chunk_spans(text: str) -> Iterator[tuple[int, int]]:
    """The non-blank pieces spaCy segments one at a time, in order: paragraphs, headline lines,
    and cuts of blocks longer than MAX_CHUNK_CHARS."""
    for block_start, block_end in _blocks(text):
        for start, end in _chunks(text, block_start, block_end):
            if text[start:end].strip():
                yield start, end


def parts(text: str, max_chars: int) -> Iterator[tuple[int, int, list[tuple[int, int]]]]:
    """`text` in consecutive parts of at most `max_chars` characters (longer where one chunk is,
    or where no cut is safe), as (start, end, chunk spans relative to start): splitting each
    part's text along its chunks gives, part after part, exactly the sentences of the whole text.
    A long document is split and scored part by part, so memory stays bounded on one huge line.

    Chunks are segmented independently but for one rule, which moves an opening quote mark
    ending one chunk's last sentence to the next sentence; a part never ends where it could apply.
    """
    chunks: list[tuple[int, int]] = []
    for chunk in chunk_spans(text):
        if chunks and chunk[1] - chunks[0][0] > max_chars and not _may_join_next(text, *chunks[-1]):
            yield _part(chunks)
            chunks = []
        chunks.append(chunk)
    if chunks:
        yield _part(chunks)


def _may_join_next(text: str, start: int, end: int) -> bool:
    """Whether the last sentence of a chunk may lose its final quote mark to the next sentence.
    That sentence ends where the chunk's text does, but may begin in the chunk before (having
    taken its quote mark), so the two characters are read from the whole text."""
    end = start + len(text[start:end].rstrip())
    return bool(_OPENING_QUOTE_AT_END.search(text[max(0, end - 2) : end]))


def _part(chunks: list[tuple[int, int]]) -> tuple[int, int, list[tuple[int, int]]]:
    start = chunks[0][0]
    return start, chunks[-1][1], [(s - start, e - start) for s, e in chunks]


def split_sentences(text: str, chunks: list[tuple[int, int]] | None = None) -> list[Sentence]:
    """Sentences in order; their offsets index `text`, and they cover every non-space character once.
    `chunks` (from `parts`) gives the pieces to segment instead of `chunk_spans(text)`."""
    spans = list(chunk_spans(text)) if chunks is None else chunks
    bounds: list[tuple[int, int]] = []
    if len(_pipeline().vocab) > VOCAB_LIMIT:
        _pipeline.cache_clear()
    nlp = _pipeline()
    for (offset, _), doc in zip(spans, nlp.pipe(text[s:e] for s, e in spans)):
        for sent in doc.sents:
            s, e = _strip(text, offset + sent.start_char, offset + sent.end_char)
            if s >= e:
                continue
            # The sentencizer keeps a quote mark after a full stop with the sentence it
            # ends; preceded by a space it opens the next one ('said. "Never."').
            if bounds and _OPENING_QUOTE_AT_END.search(text[bounds[-1][0] : bounds[-1][1]]):
                previous_start, previous_end = bounds[-1]
                bounds[-1] = _strip(text, previous_start, previous_end - 1)
                s = previous_end - 1
            bounds.append((s, e))
    return [Sentence(s, e, text[s:e]) for s, e in bounds if s < e]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
