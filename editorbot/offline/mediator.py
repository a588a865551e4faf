"""Rule-based mediation: a dialect lexicon plus filler clean-up, reporting each change."""

import re
from collections import Counter

from editorbot.dialects import DialectProfile, LexiconEntry, load_fillers

_WORD_START = r"(?<![\w])"
_WORD_END = r"(?![\w])"


def _entry_pattern(entry: LexiconEntry) -> re.Pattern:
    body = re.escape(entry.regional).replace(r"\ ", r"\s+")
    tail = r"(?=\s+\w)" if entry.before_word else _WORD_END
    return re.compile(_WORD_START + body + tail, re.IGNORECASE)


def _keep_case(original: str, replacement: str) -> str:
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def apply_lexicon(text: str, lexicon: list[LexiconEntry]) -> tuple[str, list[str]]:
    """Replace regional phrases (longest first), returning the text and one note per entry used."""
    counts: Counter[str] = Counter()
    for entry in sorted(lexicon, key=lambda e: len(e.regional), reverse=True):

        def swap(match: re.Match, entry: LexiconEntry = entry) -> str:
            counts[entry.note] += 1
            return _keep_case(match.group(0), entry.neutral)

        text = _entry_pattern(entry).sub(swap, text)
    notes = [f"{note} (×{n})" if n > 1 else note for note, n in counts.items()]
    return text, notes


def remove_fillers(text: str) -> tuple[str, list[str]]:
    """Drop hesitations; words like «este» only when set off as a filler."""
    fillers = load_fillers()
    removed: Counter[str] = Counter()

    def drop(match: re.Match) -> str:
        removed[match.group("filler").lower()] += 1
        return match.group("lead")

    for word in fillers.anywhere:
        pattern = rf"(?P<lead>){_WORD_START}(?P<filler>{re.escape(word)})\.*,?\s*{_WORD_END}"
        text = re.sub(pattern, drop, text, flags=re.IGNORECASE)
    for word in fillers.between_commas:
        phrase = re.escape(word).replace(r"\ ", r"\s+")
        # «, este,» inside a sentence, or «Este,» opening one.
        pattern = rf"(?P<lead>,\s*|^|(?<=[.!?¿¡])\s*)(?P<filler>{phrase}),\s*"
        text = re.sub(pattern, drop, text, flags=re.IGNORECASE | re.MULTILINE)
    text = _tidy(text)
    notes = [
        f"removed the filler «{w}»" + (f" (×{n})" if n > 1 else "") for w, n in removed.items()
    ]
    return text, notes


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r",\s*([.;:!?])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text).strip()
    # A sentence that lost its first word to a filler still starts with a capital.
    return re.sub(
        r"(^|[.!?]\s+)([¿¡]?[a-záéíóúñ])", lambda m: m.group(1) + m.group(2).upper(), text
    )


def mediate_offline(text: str, profile: DialectProfile) -> tuple[str, list[str]]:
    """Mediate `text` with `profile`'s lexicon, then clean fillers; returns text and changes."""
    text, lexicon_notes = apply_lexicon(text, profile.lexicon)
    text, filler_notes = remove_fillers(text)
    return text, lexicon_notes + filler_notes


def detect_profile(text: str, profiles: list[DialectProfile]) -> DialectProfile | None:
    """The profile whose lexicon matches `text` most often, or None when none matches."""
    scores = {
        p.name: sum(len(_entry_pattern(e).findall(text)) for e in p.lexicon) for p in profiles
    }
    best = max(scores, key=scores.get, default=None)
    if best is None or scores[best] == 0:
        return None
    return next(p for p in profiles if p.name == best)
