"""A 10-minute note: its plan and its render stay bounded in memory; the times are printed."""

import io
import json
import subprocess
import sys
import time
import tracemalloc
import wave

import pytest

from editorbot.audio import clean_audio
from editorbot.schemas import Beat, Role, Script, ScriptMetadata, Segment, Transcript, Word
from editorbot.settings import Settings
from editorbot.video.compiler import compile_render_plan
from editorbot.video.formats import FORMATS
from editorbot.video.plan import Background, VoiceTrack
from editorbot.whisper import get_engine
from tests.conftest import DATA
from tests.integration.video.media import probe

pytestmark = pytest.mark.slow

REPEATS = 10
RSS_LIMIT_MB = 300
"""The issue's memory target for a render; x264's buffers do not grow with the note's length."""

_RENDER = """
import json, resource, sys, time
from pathlib import Path
from editorbot.video.ffmpeg import render_file
from editorbot.video.plan import load_render_plan
plan = load_render_plan(Path(sys.argv[1]).read_text())
started = time.perf_counter()
render_file(plan, sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": time.perf_counter() - started, "ffmpeg_peak_rss_mb": peak_kib / 1024}))
"""


def _ten_times(wav_bytes: bytes) -> tuple[bytes, float]:
    with wave.open(io.BytesIO(wav_bytes)) as clip:
        params, frames = clip.getparams(), clip.readframes(clip.getnframes())
    out = io.BytesIO()
    with wave.open(out, "wb") as joined:
        joined.setparams(params)
        joined.writeframes(frames * REPEATS)
    return out.getvalue(), REPEATS * params.nframes / params.framerate


def _shifted(words: list[Word], by: float) -> list[Word]:
    return [Word(start=w.start + by, end=w.end + by, text=w.text) for w in words]


def test_a_ten_minute_note_is_planned_and_rendered_in_bounded_memory(tmp_path, capsys):
    clip = clean_audio((DATA / "speech_60s.ogg").read_bytes(), 600, -50)
    clip_wav = tmp_path / "clip.wav"
    clip_wav.write_bytes(clip.wav)
    heard = get_engine(Settings()).transcribe(clip_wav, "en", 1)
    voice_bytes, duration = _ten_times(clip.wav)
    voice = tmp_path / "voice.wav"
    voice.write_bytes(voice_bytes)
    # Ten takes of the clip, each said where it is in the joined voice.
    segments = [
        Segment(
            start=s.start + k * clip.duration_s,
            end=s.end + k * clip.duration_s,
            text=s.text,
            words=_shifted(s.words, k * clip.duration_s),
        )
        for k in range(REPEATS)
        for s in heard.segments
    ]
    transcript = Transcript(
        language="en", duration_s=duration, segments=segments, engine="test", model="base"
    )
    roles = [Role.REFLECTION, Role.ASSOCIATION, Role.INSIGHT, Role.CONTEXT] * 3
    beats = [
        Beat(
            beat_id=f"b{k:02d}",
            role=roles[k],
            text=heard.text,
            estimated_duration_seconds=60,
            pace="medium",
        )
        for k in range(REPEATS)
    ]
    script = Script(
        script_id="s-long",
        language="es",
        dialect="neutral",
        template_id="essay",
        structure_type="essay",
        total_duration_seconds=60 * REPEATS,
        beats=beats,
        metadata=ScriptMetadata(model="test"),
    )

    tracemalloc.start()
    started = time.perf_counter()
    plan = compile_render_plan(
        script,
        transcript,
        VoiceTrack(key="audio/cleaned/long.wav", duration_s=duration),
        [FORMATS["9x16"], FORMATS["preview"]],
        Background(kind="gradient", colours=["#102030", "#405060"]),
        "2026/01/02/cli-10minutes000",
        "essay",
    )
    compile_s = time.perf_counter() - started
    compile_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan.model_dump_json())
    workdir = tmp_path / "render"
    workdir.mkdir()
    # A process of its own, so ffmpeg's peak memory is this render's alone.
    measured = json.loads(
        subprocess.run(
            [sys.executable, "-c", _RENDER, plan_file, "preview", voice, workdir],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )

    with capsys.disabled():
        print(
            f"\n10-minute note ({duration:.0f} s): plan {compile_s:.2f} s, "
            f"{compile_peak_mb:.0f} MB traced; preview render {measured['seconds']:.1f} s "
            f"({measured['seconds'] / duration:.3f} of real time), "
            f"ffmpeg peak RSS {measured['ffmpeg_peak_rss_mb']:.0f} MB"
        )
    # Each beat is anchored to its own take, not to the first place its words occur.
    assert [round(b.start / clip.duration_s) for b in plan.beats] == list(range(REPEATS))
    assert compile_peak_mb < 100
    assert measured["ffmpeg_peak_rss_mb"] < RSS_LIMIT_MB
    found = probe(workdir / "video.mp4")
    assert abs(float(found["format"]["duration"]) - duration) <= 0.1
