"""Subtitles from transcript segments: SRT and WebVTT, never overlapping, never backwards."""

from editorbot.schemas import Segment


def _ordered(segments: list[Segment]) -> list[tuple[float, float, str]]:
    cues, last_end = [], 0.0
    for segment in segments:
        text = segment.text.strip()
        if not text:
            continue
        start = max(segment.start, last_end)
        end = max(segment.end, start + 0.001)
        cues.append((start, end, text))
        last_end = end
    return cues


def _stamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def to_srt(segments: list[Segment]) -> str:
    blocks = [
        f"{i}\n{_stamp(start, ',')} --> {_stamp(end, ',')}\n{text}\n"
        for i, (start, end, text) in enumerate(_ordered(segments), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(segments: list[Segment]) -> str:
    blocks = [
        f"{_stamp(start, '.')} --> {_stamp(end, '.')}\n{text}\n"
        for start, end, text in _ordered(segments)
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)
