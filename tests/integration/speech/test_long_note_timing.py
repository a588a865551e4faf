"""A note longer than Whisper's 30 s window keeps absolute times, and its subtitles stay sane."""

import itertools
import subprocess

import pysubs2
import pytest
from engines_under_test import DATA

from bench.wer import normalize
from editorbot.audio import clean_audio
from editorbot.subtitles import to_srt

# Each piece starts with "And Mr. John Dashwood"; a second of silence keeps them apart.
PIECES = ["speech_60s.ogg", "librivox_26s.ogg", *["speech_60s.ogg"] * 4]
GAP_S = 1.0


def _seconds(path) -> float:
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(probe.stdout)


@pytest.fixture(scope="module")
def long_note(tmp_path_factory):
    """Over five minutes of speech joined with ffmpeg now, and where each piece truly starts."""
    folder = tmp_path_factory.mktemp("long-note")
    inputs, labels, offsets, at = [], [], [], 0.0
    for i, name in enumerate(PIECES):
        inputs += ["-i", str(DATA / name)]
        # Every piece to one format with the gap after it, so concat joins like with like.
        labels.append(
            f"[{i}:a]aformat=sample_rates=48000:channel_layouts=mono,apad=pad_dur={GAP_S}[p{i}]"
        )
        offsets.append(at)
        at += _seconds(DATA / name) + GAP_S
    joined = "".join(f"[p{i}]" for i in range(len(PIECES)))
    graph = ";".join([*labels, f"{joined}concat=n={len(PIECES)}:v=0:a=1[out]"])
    note = folder / "long.ogg"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", *inputs, "-filter_complex", graph, "-map", "[out]",
         "-c:a", "libopus", "-b:a", "24k", "-application", "voip", str(note)],
        check=True,
    )  # fmt: skip
    clean = clean_audio(note.read_bytes(), max_seconds=900, silence_dbfs=-50)
    wav = folder / "long.wav"
    wav.write_bytes(clean.wav)
    return wav, offsets, clean.duration_s


@pytest.fixture(scope="module")
def long_transcript_of(long_note):
    """Each engine transcribes the long note once for all the tests here."""
    made = {}

    def transcribe(engine):
        if id(engine) not in made:
            made[id(engine)] = engine.transcribe(long_note[0], "en", 1)
        return made[id(engine)]

    return transcribe


@pytest.mark.slow
def test_segments_keep_absolute_times_across_windows(engine, long_note, long_transcript_of):
    _, offsets, duration = long_note
    assert duration >= 300

    transcript = long_transcript_of(engine)
    starts = [s.start for s in transcript.segments]

    def heard_at(second: float) -> list[str]:
        return normalize(
            " ".join(s.text for s in transcript.segments if s.start <= second <= s.end)
        )

    assert starts == sorted(starts)
    assert transcript.segments[-1].end == pytest.approx(duration, abs=3.0)
    # Each piece opens with "And Mr. John Dashwood": a second and a half into every piece, the
    # segment spoken then must say it, wherever Whisper's 30 s windows happened to fall.
    for offset in offsets:
        assert "dashwood" in heard_at(offset + 1.5), (offset, heard_at(offset + 1.5))


@pytest.mark.slow
def test_subtitles_of_a_long_note_never_overlap_or_go_backwards(
    engine, long_note, long_transcript_of
):
    duration = long_note[2]
    transcript = long_transcript_of(engine)

    written = pysubs2.SSAFile.from_string(to_srt(transcript.segments), format_="srt")
    cues = [(cue.start / 1000, cue.end / 1000) for cue in written]

    assert len(cues) == len([s for s in transcript.segments if s.text.strip()]) > 20
    assert all(start < end for start, end in cues)
    assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(cues))
    assert cues[-1][1] <= duration + 1.0
