"""Text clean-up applied identically before training and prediction."""

from __future__ import annotations

import re

# Penn-Treebank-tokenised text ("Iran 's program , he said ``"), common in research
# corpora, is brought back to ordinary spacing so models see one writing convention.
_PTB = [
    (re.compile(r"``\s*|''"), '"'),
    (re.compile(r"\s+(n't|'s|'re|'ve|'ll|'d|'m)\b", re.I), r"\1"),
    (re.compile(r"\s+([.,;:!?%)\]}])"), r"\1"),
    (re.compile(r"([(\[{$])\s+"), r"\1"),
    (re.compile(r"\s+-\s+(?=\w)"), " - "),
]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Collapse whitespace, drop control characters, undo PTB token spacing."""
    text = _CONTROL.sub(" ", text)
    if " ," in text or " 's" in text or " ." in text or "``" in text:
        for pattern, repl in _PTB:
            text = pattern.sub(repl, text)
    return _SPACE.sub(" ", text).strip()


def model_inputs(texts, max_chars: int) -> list[str]:
    """What a model sees: normalised text cut to `max_chars`; training and prediction share it."""
    return [normalize(text)[:max_chars] for text in texts]
