"""The start-up check that the ffmpeg on PATH can burn captions (it runs `ffmpeg -filters`)."""

import os
import stat

import pytest

from editorbot.video import ffmpeg as video_ffmpeg
from editorbot.video.ffmpeg import VideoToolMissing, check_ffmpeg


def _fake_ffmpeg(directory, filters: str):
    """An ffmpeg on PATH that lists `filters`: a build made without libass."""
    program = directory / "ffmpeg"
    program.write_text(f"#!/bin/sh\ncat <<'END'\n{filters}\nEND\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program


def test_an_ffmpeg_without_libass_is_named_with_a_sentence(tmp_path, monkeypatch):
    program = _fake_ffmpeg(tmp_path, " ... drawtext          V->V       Draw text.")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    video_ffmpeg._filters.cache_clear()

    with pytest.raises(VideoToolMissing, match=f"The ffmpeg at {program} was built without libass"):
        check_ffmpeg()


def test_no_ffmpeg_at_all_is_a_sentence_too(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(VideoToolMissing, match="ffmpeg is not installed"):
        check_ffmpeg()


def test_the_systems_ffmpeg_has_libass():
    video_ffmpeg._filters.cache_clear()
    check_ffmpeg()
