"""Word error rate after the normalization refs.json uses: lower case, no punctuation."""

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w\s']|(?<!\w)'|'(?!\w)")
# The references spell out what Whisper abbreviates ("Mr." is read "mister").
_SPOKEN = {"mr": "mister", "mrs": "missus", "dr": "doctor"}


def normalize(text: str) -> list[str]:
    """Words as the references write them: lower case, punctuation and hyphens gone."""
    text = unicodedata.normalize("NFKC", text).lower().replace("-", " ")
    return [_SPOKEN.get(word, word) for word in _NOT_WORD.sub(" ", text).split()]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, after normalizing both."""
    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref:
        raise ValueError("the reference has no words")
    # One row of the Levenshtein table at a time: the clips are short, no library needed.
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, start=1):
        current = [i]
        for j, hyp_word in enumerate(hyp, start=1):
            current.append(
                min(
                    previous[j] + 1,  # deletion
                    current[j - 1] + 1,  # insertion
                    previous[j - 1] + (ref_word != hyp_word),  # substitution or match
                )
            )
        previous = current
    return previous[-1] / len(ref)
