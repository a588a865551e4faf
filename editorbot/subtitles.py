"""Subtitles from transcript segments, written by pysubs2: never overlapping, never backwards."""

import pysubs2

from editorbot.schemas import Segment


def cues(segments: list[Segment]) -> pysubs2.SSAFile:
    """The segments as timed cues: empty ones dropped, each starting after the last ends."""
    subtitles, last_end = pysubs2.SSAFile(), 0
    for segment in segments:
        text = segment.text.strip()
        if not text:
            continue
        start = max(round(segment.start * 1000), last_end)
        end = max(round(segment.end * 1000), start + 1)  # at least a millisecond on screen
        cue = pysubs2.SSAEvent(start=start, end=end)
        cue.plaintext = text
        subtitles.append(cue)
        last_end = end
    return subtitles


def to_srt(segments: list[Segment]) -> str:
    """The segments as SubRip text."""
    # keep_ssa_tags: the words go out as spoken; braces are not read as ASS style overrides.
    return cues(segments).to_string("srt", keep_ssa_tags=True)


def to_vtt(segments: list[Segment]) -> str:
    """The segments as WebVTT text."""
    return cues(segments).to_string("vtt", keep_ssa_tags=True)
