"""Turn whatever the creator sent into the 16 kHz mono WAV Whisper hears, or say why not."""

import io
import json
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from editorbot.audio_integrity import container_problem
from editorbot.errors import BadAudio

SAMPLE_RATE = 16_000
TARGET_RMS_DBFS = -20.0
PEAK_CEILING_DBFS = -1.0


@dataclass(frozen=True)
class CleanAudio:
    wav: bytes
    duration_s: float
    peak_dbfs: float


def _dbfs(value: float) -> float:
    return 20 * np.log10(max(value, 1e-10))


def _probe(path: Path) -> dict:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BadAudio(
            "This file is not audio we can read; please send a voice note or a sound file."
        )
    return json.loads(result.stdout or "{}")


def _decode(path: Path) -> np.ndarray:
    result = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-i",
            path,
            "-vn",
            "-ac",
            "1",
            "-ar",
            str(SAMPLE_RATE),
            "-f",
            "f32le",
            "-",
        ],
        capture_output=True,
    )
    if result.returncode != 0 or result.stderr.strip():
        raise BadAudio(
            "The recording is damaged or cut off and cannot be played; please send it again."
        )
    return np.frombuffer(result.stdout, dtype=np.float32)


def _loudness_normalized(samples: np.ndarray) -> np.ndarray:
    """Bring speech to a steady level without clipping: RMS target, then a peak ceiling."""
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    gain = 10 ** ((TARGET_RMS_DBFS - _dbfs(rms)) / 20)
    peak = float(np.max(np.abs(samples))) * gain
    ceiling = 10 ** (PEAK_CEILING_DBFS / 20)
    if peak > ceiling:
        gain *= ceiling / peak
    return samples * gain


def _wav_bytes(samples: np.ndarray) -> bytes:
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm.tobytes())
    return buffer.getvalue()


def clean_audio(data: bytes, max_seconds: float, silence_dbfs: float) -> CleanAudio:
    """Decode, check and loudness-normalize a note; raises BadAudio with the reason."""
    if not data:
        raise BadAudio("The file is empty; please record the note again.")
    problem = container_problem(data)
    if problem:
        raise BadAudio(f"We could not use this note: {problem}. Please send it again.")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "note"
        path.write_bytes(data)
        info = _probe(path)
        if not any(s.get("codec_type") == "audio" for s in info.get("streams", [])):
            raise BadAudio(
                "This file has no sound in it; please send a voice note or a sound file."
            )
        declared = float(info.get("format", {}).get("duration") or 0)
        if declared > max_seconds:  # refuse before decoding hours of audio
            raise BadAudio(_too_long(declared, max_seconds))
        samples = _decode(path)
    duration = len(samples) / SAMPLE_RATE
    if duration < 0.1:
        raise BadAudio("The recording holds no sound; please record the note again.")
    if duration > max_seconds:
        raise BadAudio(_too_long(duration, max_seconds))
    peak_dbfs = _dbfs(float(np.max(np.abs(samples))))
    if peak_dbfs < silence_dbfs:
        raise BadAudio("The recording is silent; check the microphone and record the note again.")
    return CleanAudio(_wav_bytes(_loudness_normalized(samples)), round(duration, 3), peak_dbfs)


def _too_long(seconds: float, limit: float) -> str:
    return (
        f"The note lasts {seconds / 60:.1f} minutes; the limit is {limit / 60:g} minutes. "
        "Please split it into shorter notes."
    )
