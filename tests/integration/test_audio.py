"""Normalization accepts real speech in common formats and refuses bad notes with a reason."""

import io
import wave

import numpy as np
import pytest

from editorbot.audio import SAMPLE_RATE, clean_audio
from editorbot.errors import BadAudio
from tests.conftest import DATA, ffmpeg

LIMIT_S, SILENCE_DBFS = 600.0, -50.0


def _clean(data: bytes, limit: float = LIMIT_S):
    return clean_audio(data, limit, SILENCE_DBFS)


@pytest.mark.parametrize(
    "name", ["note.wav", "note.mp3", "note.m4a", "note.webm", "note.flac", "note.aac"]
)
def test_common_formats_become_16k_mono_wav(media, name):
    clean = _clean((media / name).read_bytes())
    with wave.open(io.BytesIO(clean.wav)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (SAMPLE_RATE, 1, 2)
        assert wav.getnframes() / SAMPLE_RATE == pytest.approx(6.0, abs=0.1)


def test_telegram_ogg_opus_is_normalized_to_a_steady_level():
    clean = _clean((DATA / "librivox_26s.ogg").read_bytes())
    with wave.open(io.BytesIO(clean.wav)) as wav:
        samples = np.frombuffer(wav.readframes(wav.getnframes()), "<i2") / 32768
    rms_dbfs = 20 * np.log10(np.sqrt(np.mean(samples**2)))
    assert clean.duration_s == pytest.approx(26.2, abs=0.1)
    assert -21.5 < rms_dbfs < -18.5 or np.max(np.abs(samples)) > 0.85  # target, or peak-limited
    assert np.max(np.abs(samples)) < 0.9


def _refusal(data: bytes, limit: float = LIMIT_S) -> str:
    with pytest.raises(BadAudio) as refused:
        _clean(data, limit)
    message = str(refused.value)
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message
    return message


def test_empty_file_is_refused():
    assert "empty" in _refusal(b"")


def test_text_and_random_bytes_are_not_audio(tmp_path):
    assert "not audio" in _refusal(b"hola, esto es texto\n" * 50)
    assert "not audio" in _refusal(np.random.default_rng(7).bytes(20_000))


def test_an_image_renamed_ogg_has_no_sound(tmp_path):
    ffmpeg("-f", "lavfi", "-i", "color=red:s=64x64", "-frames:v", "1", tmp_path / "img.png")
    assert "no sound" in _refusal((tmp_path / "img.png").read_bytes())


def test_truncated_ogg_is_refused():
    data = (DATA / "librivox_26s.ogg").read_bytes()
    assert "cut off" in _refusal(data[: len(data) // 2])


def test_truncated_wav_is_refused(media):
    data = (media / "note.wav").read_bytes()
    assert "cut off" in _refusal(data[: len(data) // 2])


def test_wav_header_without_samples_is_refused(tmp_path):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16_000)
    assert "no sound" in _refusal(buffer.getvalue())


def test_silence_is_refused(tmp_path):
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "anullsrc=r=48000:cl=mono",
        "-t",
        "5",
        "-c:a",
        "libopus",
        tmp_path / "silence.ogg",
    )
    assert "silent" in _refusal((tmp_path / "silence.ogg").read_bytes())


def test_note_over_the_limit_is_refused_before_decoding(tmp_path):
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=16000",
        "-t",
        "12",
        "-c:a",
        "libopus",
        tmp_path / "tone.ogg",
    )
    message = _refusal((tmp_path / "tone.ogg").read_bytes(), limit=10)
    assert "0.2 minutes" in message and "limit" in message
