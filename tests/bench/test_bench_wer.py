"""The word error rate the tests and the benchmark judge transcripts by."""

import pytest

from bench.wer import normalize, word_error_rate


def test_normalizing_keeps_only_the_words_as_references_write_them():
    assert normalize("And Mr. Dashwood, ill-disposed — wasn't he?") == [
        "and",
        "mister",
        "dashwood",
        "ill",
        "disposed",
        "wasn't",
        "he",
    ]


def test_a_perfect_transcript_scores_zero_whatever_its_punctuation():
    assert (
        word_error_rate(
            "he was not an ill disposed young man", "He was not an ill-disposed young man."
        )
        == 0.0
    )


def test_each_substitution_deletion_and_insertion_counts_once():
    reference = "had he married a more a amiable woman"  # 8 words

    assert word_error_rate(reference, "had he married a more amiable woman") == pytest.approx(1 / 8)
    assert word_error_rate(reference, "had she married a more a amiable woman") == pytest.approx(
        1 / 8
    )
    assert word_error_rate(reference, "oh had he married a more a amiable woman") == pytest.approx(
        1 / 8
    )
    assert word_error_rate(reference, "") == 1.0


def test_an_empty_reference_is_refused():
    with pytest.raises(ValueError):
        word_error_rate(" ,. ", "anything")
