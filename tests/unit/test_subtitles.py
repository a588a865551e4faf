"""Subtitles are well-formed and never overlap or run backwards."""

from editorbot.schemas import Segment
from editorbot.subtitles import to_srt, to_vtt


def test_srt_and_vtt_formats():
    segments = [
        Segment(start=0, end=2.5, text=" Hola."),
        Segment(start=2.5, end=3661.2, text="Adiós."),
    ]
    assert to_srt(segments) == (
        "1\n00:00:00,000 --> 00:00:02,500\nHola.\n\n2\n00:00:02,500 --> 01:01:01,200\nAdiós.\n\n"
    )
    assert to_vtt(segments).startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.500\nHola.\n")


def test_overlapping_segments_are_clamped_and_empty_ones_dropped():
    segments = [
        Segment(start=0, end=3, text="uno"),
        Segment(start=2, end=2.5, text="dos"),
        Segment(start=4, end=5, text="  "),
    ]
    lines = [line for line in to_srt(segments).splitlines() if "-->" in line]
    assert lines == ["00:00:00,000 --> 00:00:03,000", "00:00:03,000 --> 00:00:03,001"]


def test_the_words_go_out_as_spoken_even_with_braces_and_tags():
    segments = [Segment(start=0, end=1, text="{dijo} <i>que</i> sí")]
    assert to_srt(segments).splitlines()[2] == "{dijo} <i>que</i> sí"
    assert to_vtt(segments).splitlines()[4] == "{dijo} <i>que</i> sí"
