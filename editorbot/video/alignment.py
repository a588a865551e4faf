"""Timing the approved script's words by the voice: match them to Whisper's word timestamps."""

import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from editorbot.schemas import Transcript, Word


def comparable(word: str) -> str:
    """A word as matching sees it: lower case, no accents, letters and digits only."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


@dataclass
class Timed:
    """A script word with the time it is said, and whether that time was heard or spread."""

    text: str
    start: float
    end: float
    heard: bool


def spoken_words(transcript: Transcript) -> list[Word]:
    """The transcript's timed words; for one persisted before word timings, each segment's
    words spread across the segment."""
    if transcript.words:
        return transcript.words
    words = []
    for segment in transcript.segments:
        parts = segment.text.split()
        step = (segment.end - segment.start) / max(len(parts), 1)
        words += [
            Word(start=segment.start + i * step, end=segment.start + (i + 1) * step, text=part)
            for i, part in enumerate(parts)
        ]
    return words


def _spread(texts: list[str], start: float, end: float) -> list[Timed]:
    """Words sharing [start, end] in proportion to their length (longer words take longer)."""
    weights = [max(len(comparable(t)), 1) for t in texts]
    total, at, timed = sum(weights), start, []
    for text, weight in zip(texts, weights, strict=True):
        length = (end - start) * weight / total
        timed.append(Timed(text, at, at + length, heard=False))
        at += length
    return timed


def align(script_words: list[str], spoken: list[Word], duration_s: float) -> list[Timed]:
    """Each script word timed: by the spoken word it matches, or spread across the stretch
    between its matched neighbours where mediation changed, added or dropped words."""
    if not script_words:
        return []
    if not spoken:
        return _spread(script_words, 0.0, duration_s)
    matcher = SequenceMatcher(
        None, [comparable(w) for w in script_words], [comparable(w.text) for w in spoken],
        autojunk=False,
    )  # fmt: skip
    heard: dict[int, Word] = {}
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            heard[block.a + offset] = spoken[block.b + offset]
    timed: list[Timed] = []
    pending: list[str] = []
    # An unheard run before the first match starts where the speech starts.
    gap_start = spoken[0].start
    for index, text in enumerate(script_words):
        word = heard.get(index)
        if word is None:
            pending.append(text)
            continue
        if pending:
            timed += _spread(pending, gap_start, max(word.start, gap_start))
            pending = []
        start = max(word.start, gap_start)
        timed.append(Timed(text, start, max(word.end, start), heard=True))
        gap_start = timed[-1].end
    if pending:
        speech_end = max(spoken[-1].end, gap_start)
        timed += _spread(pending, gap_start, min(speech_end, duration_s))
    return timed
