import functools
import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from parley import segment
from parley.segment import split_sentences


def texts(text):
    return [s.text for s in split_sentences(text)]


def test_abbreviations_quotes_and_headlines():
    article = (
        "Kremlin rejects U.S. peace plan\n\n"
        'WASHINGTON (Parley Wire) - Mr. Peskov said the U.S. plan was "a non-starter." '
        'He added: "We will not sign." Talks resume at 9 a.m. on Monday. Dr. Ortiz agreed.'
    )
    assert texts(article) == [
        "Kremlin rejects U.S. peace plan",
        'WASHINGTON (Parley Wire) - Mr. Peskov said the U.S. plan was "a non-starter."',
        'He added: "We will not sign."',
        "Talks resume at 9 a.m. on Monday.",
        "Dr. Ortiz agreed.",
    ]


def test_headline_line_without_blank_line_and_wrapped_prose():
    assert texts("Unions say yes to pay deal\nThe RMT accepted the offer on Friday.") == [
        "Unions say yes to pay deal",
        "The RMT accepted the offer on Friday.",
    ]
    wrapped = "The ministers agreed on Tuesday to extend the\nceasefire by a week. Fighting eased."
    assert texts(wrapped) == ["The ministers agreed on Tuesday to extend the\nceasefire by a week.", "Fighting eased."]


def test_offsets_index_the_original_text():
    text = "  First one.  Second one?\r\n\r\nThird!  "
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["First one.", "Second one?", "Third!"]
    for s in sentences:
        assert text[s.start : s.end] == s.text


def test_very_long_sentence_is_kept_whole():
    text = "word " * 30000 + "end."
    sentences = split_sentences(text)
    assert "".join(s.text for s in sentences).replace(" ", "") == text.replace(" ", "")


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("ab .?!\n\"'U.S.Mr") + ["\u00e9", "\u4e2d", "\U0001f600", "\r", "\t"]),
        max_size=300,
    )
)
def test_property_offsets_cover_text_without_loss_or_overlap(text):
    sentences = split_sentences(text)
    last = 0
    for s in sentences:
        assert text[s.start : s.end] == s.text and s.text == s.text.strip() and s.text
        assert s.start >= last
        assert not text[last : s.start].strip()  # nothing but whitespace between sentences
        last = s.end
    assert not text[last:].strip()


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=400))
def test_property_arbitrary_unicode_never_crashes(text):
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text


def test_opening_quote_starts_the_next_sentence_and_news_abbreviations():
    assert texts('"We will not sign," Dr. Ortiz said. "Never." The talks ended.') == [
        '"We will not sign," Dr. Ortiz said.',
        '"Never."',
        "The talks ended.",
    ]
    assert texts("Gen. Ruiz (ret.) said no. Ms. Lee spoke for the No. 2 party.") == [
        "Gen. Ruiz (ret.) said no.",
        "Ms. Lee spoke for the No. 2 party.",
    ]


def test_pipeline_rebuilt_past_vocabulary_limit_splits_the_same(monkeypatch):
    texts = [
        f'Mr. Tusk{i} met Gen. Ruiz{i} at 9 a.m. on day {i}. The U.S. envoy left. "Never," she said.' for i in range(30)
    ]
    expected = [split_sentences(text) for text in texts]
    monkeypatch.setattr(segment, "VOCAB_LIMIT", 5)
    built = []
    original = segment._pipeline.__wrapped__
    monkeypatch.setattr(segment, "_pipeline", functools.lru_cache(maxsize=1)(lambda: built.append(1) or original()))
    assert [split_sentences(text) for text in texts] == expected
    assert len(built) > 10  # rebuilt again and again, never growing past the limit for long
    assert len(segment._pipeline().vocab) < len(original().vocab) + 100


def _split_in_parts(text, max_chars):
    found = []
    for start, end, chunks in segment.parts(text, max_chars):
        assert not found or start >= found[-1].end
        found += [
            segment.Sentence(start + s.start, start + s.end, s.text) for s in split_sentences(text[start:end], chunks)
        ]
    return found


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ['He said. "', '"', "”", "Never.", " ", "\u2028", "\n", "\n\n", "Talks end", "U.S. ", "No. 2 ", "yes? "]
        ),
        max_size=60,
    ).map("".join),
    st.integers(1, 60),
)
# A quote mark moved to the next chunk makes that chunk's last sentence begin before it.
@example('He said. "\n \n"\n\n\n \n”', 1)
def test_property_parts_split_exactly_like_the_whole_text(text, max_chars):
    """A long document is split part by part; the parts must give the whole text's sentences,
    even where an opening quote ends a chunk ('said. "' + paragraph break) or a block is cut."""
    segment._pipeline()  # built with the real MAX_CHUNK_CHARS, which sets its length limit
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(segment, "MAX_CHUNK_CHARS", 25)
        assert _split_in_parts(text, max_chars) == split_sentences(text)


def test_parts_keep_a_quote_that_opens_the_next_paragraph_with_it():
    text = 'Talks ended. He said: "\n\nNever," she said. Rain fell.\n\nThe end.'
    assert [s.text for s in split_sentences(text)][1:3] == ["He said:", '"\n\nNever," she said.']
    assert [(start, end) for start, end, _ in segment.parts(text, 10)] == [(0, 53), (55, 63)]
    assert _split_in_parts(text, 10) == split_sentences(text)


def test_a_huge_block_of_wrapped_lines_is_cut_in_linear_time():
    """Each line used to copy the rest of its block to look at the next line's first letter:
    8 MB of wrapped lines took about 11 s to cut into chunks (2 MB: 0.7 s); now 0.1 s."""
    wrapped = "the ministers agreed on tuesday to extend the ceasefire by a week and\n" * 120_000
    text = "Ceasefire extended\nThe talks went on.\n" + wrapped + "Talks resume\nThe envoys met."
    started = time.perf_counter()
    chunks = [text[start:end] for start, end in segment.chunk_spans(text)]
    assert time.perf_counter() - started < 2.0
    assert chunks[0] == "Ceasefire extended" and chunks[-2:] == ["Talks resume", "The envoys met."]
    assert chunks[1].startswith("The talks went on.\nthe ministers") and chunks[-3].endswith("by a week and")
