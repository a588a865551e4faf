"""Caption chunks: 2–4 words that fit on at most two lines, broken where the speaker breaks."""

from collections.abc import Callable, Sequence

from editorbot.video.fonts import caption_font
from editorbot.video.plan import CaptionChunk, TimedWord, VideoFormat

MAX_WORDS = 4
MAX_LINES = 2
PAUSE_S = 0.6
"""A silence this long ends a chunk: the next words start a new thought."""
HOLD_S = 0.4
"""How long a chunk stays up after its last word when a pause follows."""
OUTLINE_EM = 0.08
"""The outline around caption letters, as a fraction of the font size (it widens a line)."""

_CLAUSE_END = tuple(".,;:!?…")


def line_width_px(line: str, font_px: float) -> float:
    """A caption line's drawn width, outline included."""
    return caption_font().width_px(line, font_px) + 2 * OUTLINE_EM * font_px


def fit_lines(words: Sequence[str], font_px: float, width_px: float) -> list[list[str]] | None:
    """`words` on one line, or two balanced lines, within `width_px`; None if they cannot fit."""
    if line_width_px(" ".join(words), font_px) <= width_px:
        return [list(words)]
    best: tuple[float, list[list[str]]] | None = None
    for cut in range(1, len(words)):
        lines = [list(words[:cut]), list(words[cut:])]
        widest = max(line_width_px(" ".join(line), font_px) for line in lines)
        if widest <= width_px and (best is None or widest < best[0]):
            best = (widest, lines)
    return best[1] if best else None


def fitted_lines(
    words: Sequence[str], font_px: float, width_px: float
) -> tuple[list[list[str]], float]:
    """The lines for `words` and the font size they need: smaller only for a word too long to
    fit the width at `font_px` (it is shrunk, never cut)."""
    while (lines := fit_lines(words, font_px, width_px)) is None:
        font_px *= 0.9
    return lines, font_px


def fits_every(formats: Sequence[VideoFormat]) -> Callable[[Sequence[str]], bool]:
    """Whether words fit on two lines in each of `formats`."""

    def fits(words: Sequence[str]) -> bool:
        return all(fit_lines(words, f.caption_px, f.text_width_px) is not None for f in formats)

    return fits


def _group(words: list[TimedWord], fits: Callable[[Sequence[str]], bool]) -> list[list[TimedWord]]:
    groups: list[list[TimedWord]] = []
    current: list[TimedWord] = []
    for word in words:
        if current:
            full = len(current) == MAX_WORDS or not fits([w.text for w in [*current, word]])
            pause = word.start - current[-1].end >= PAUSE_S
            clause = current[-1].text.endswith(_CLAUSE_END)
            if full or (len(current) >= 2 and (pause or clause)):
                groups.append(current)
                current = []
        current.append(word)
    if current:
        groups.append(current)
    return _no_lone_words(groups, fits)


def _no_lone_words(
    groups: list[list[TimedWord]], fits: Callable[[Sequence[str]], bool]
) -> list[list[TimedWord]]:
    """Give a one-word chunk a neighbour: join one that has room, or take a word from it."""
    index = 0
    while index < len(groups):
        group = groups[index]
        if len(group) == 1 and len(groups) > 1:
            before = groups[index - 1] if index > 0 else None
            after = groups[index + 1] if index + 1 < len(groups) else None

            def text(ws: list[TimedWord]) -> list[str]:
                return [w.text for w in ws]

            if before and len(before) < MAX_WORDS and fits(text(before + group)):
                before.extend(group)
                del groups[index]
                continue
            if after and len(after) < MAX_WORDS and fits(text(group + after)):
                after[:0] = group
                del groups[index]
                continue
            if before and len(before) > 2 and fits(text(before[-1:] + group)):
                group.insert(0, before.pop())
        index += 1
    return groups


def chunk_words(
    words: list[TimedWord], formats: Sequence[VideoFormat], beat_end: float
) -> list[CaptionChunk]:
    """A beat's timed words as caption chunks; each stays up until the next, or briefly after
    its last word when a pause follows, and never past the beat."""
    groups = _group(words, fits_every(formats))
    chunks = []
    for index, group in enumerate(groups):
        start = group[0].start
        following = groups[index + 1][0].start if index + 1 < len(groups) else beat_end
        end = following if following - group[-1].end < PAUSE_S else group[-1].end + HOLD_S
        end = min(max(end, start + 0.05), beat_end)
        chunks.append(CaptionChunk(start=start, end=end, words=group))
    return chunks
