"""Turn whatever the creator sent into the 16 kHz mono WAV Whisper hears, or say why not."""

import io
import json
import re
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

# ffmpeg demuxers for what Telegram, phones and recorders send: mov is also MP4/M4A/3GP,
# matroska also WebM, aac is ADTS. None of them opens another file, mov only through external
# data references, which stay off (-enable_drefs 0; off by default in ffmpeg too).
ACCEPTED_FORMATS = ("ogg", "mp3", "mov", "wav", "matroska", "flac", "aac")
# Demuxers whose input names other files, hosts or streams for ffmpeg to open.
REFERRING_FORMATS = {"hls", "concat", "sdp", "rtsp", "rtp", "dash", "imf"}
IMAGE_FORMATS = {"image2", "gif", "apng"}  # besides the *_pipe ones
# What the mov demuxer logs for a track whose samples live in another file.
EXTERNAL_TRACK = "Skipped opening external track"

NO_SOUND = "This file has no sound in it; please send a voice note or a sound file."
REFERS_ELSEWHERE = (
    "This file is not a recording: it refers to other files or streams. "
    "Please send the voice note itself."
)


@dataclass(frozen=True)
class CleanAudio:
    wav: bytes
    duration_s: float
    peak_dbfs: float


def _dbfs(value: float) -> float:
    return 20 * np.log10(max(value, 1e-10))


def _run(command: list[str], timeout_s: float) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:  # run() has killed ffmpeg by then
        raise BadAudio(
            f"Reading this recording took more than {timeout_s:g} seconds; "
            "please send it again as a shorter voice note."
        ) from None


def _format_refusal(probed: str | None) -> str:
    """The sentence for a file ffprobe could not open with only our formats allowed."""
    names = set(probed.split(",")) if probed else set()
    if names & REFERRING_FORMATS:
        return REFERS_ELSEWHERE
    if any(name.endswith("_pipe") or name in IMAGE_FORMATS for name in names):
        return NO_SOUND
    if not names or names & set(ACCEPTED_FORMATS):  # nothing recognized, or damaged
        return "This file is not audio we can read; please send a voice note or a sound file."
    return (
        f"This file's format ({probed}) is not one we take; please send a voice note, "
        "or an Ogg, MP3, M4A, WAV, WebM, FLAC or AAC file."
    )


def _probe(path: Path, timeout_s: float) -> dict:
    """ffprobe's view of the note, opened only if its format is one of ACCEPTED_FORMATS.

    libavformat checks -format_whitelist after guessing the format from the bytes and
    before the demuxer reads its header, which is where HLS, concat and the like open the
    files they name; -protocol_whitelist keeps every open to the local file we wrote.
    """
    result = _run(
        [
            "ffprobe", "-v", "debug", "-protocol_whitelist", "file",
            "-format_whitelist", ",".join(ACCEPTED_FORMATS), "-enable_drefs", "0",
            "-print_format", "json", "-show_format", "-show_streams", str(path),
        ],
        timeout_s,
    )  # fmt: skip
    log = result.stderr.decode(errors="replace")
    if result.returncode != 0:
        # At debug level ffprobe names the format it guessed even when it refuses it.
        probed = re.search(r"Format (\S+) probed with size", log)
        raise BadAudio(_format_refusal(probed.group(1) if probed else None))
    if EXTERNAL_TRACK in log:
        raise BadAudio(REFERS_ELSEWHERE)
    return json.loads(result.stdout or "{}")


def _decode(path: Path, demuxer: str, max_seconds: float, timeout_s: float) -> np.ndarray:
    """Samples at 16 kHz mono, at most a second past the limit whatever the header says."""
    drefs_off = ["-enable_drefs", "0"] if demuxer == "mov" else []
    result = _run(
        [
            "ffmpeg", "-nostdin", "-v", "error", "-protocol_whitelist", "file",
            "-f", demuxer, *drefs_off, "-i", str(path),
            "-map", "0:a:0", "-ac", "1", "-ar", str(SAMPLE_RATE),
            "-t", f"{max_seconds + 1:g}", "-f", "f32le", "-",
        ],
        timeout_s,
    )  # fmt: skip
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


def clean_audio(
    data: bytes, max_seconds: float, silence_dbfs: float, timeout_s: float | None = None
) -> CleanAudio:
    """Decode, check and loudness-normalize a note; raises BadAudio with the reason.

    `timeout_s` caps each ffmpeg call by the clock (default: 30 s plus a tenth of the limit).
    """
    if not data:
        raise BadAudio("The file is empty; please record the note again.")
    problem = container_problem(data)
    if problem:
        raise BadAudio(f"We could not use this note: {problem}. Please send it again.")
    timeout_s = timeout_s if timeout_s is not None else 30 + max_seconds / 10
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "note"
        path.write_bytes(data)
        info = _probe(path, timeout_s)
        demuxer = info.get("format", {}).get("format_name", "").split(",")[0]
        if demuxer not in ACCEPTED_FORMATS:  # the whitelist let nothing else through
            raise BadAudio(_format_refusal(demuxer or None))
        if not any(s.get("codec_type") == "audio" for s in info.get("streams", [])):
            raise BadAudio(NO_SOUND)
        declared = float(info.get("format", {}).get("duration") or 0)
        if declared > max_seconds:  # refuse before decoding hours of audio
            raise BadAudio(_too_long(f"{declared / 60:.1f} minutes", max_seconds))
        samples = _decode(path, demuxer, max_seconds, timeout_s)
    duration = len(samples) / SAMPLE_RATE
    if duration < 0.1:
        raise BadAudio("The recording holds no sound; please record the note again.")
    if duration > max_seconds:  # the header said less; decoding stopped a second past the limit
        raise BadAudio(_too_long(f"more than {max_seconds / 60:g} minutes", max_seconds))
    peak_dbfs = _dbfs(float(np.max(np.abs(samples))))
    if peak_dbfs < silence_dbfs:
        raise BadAudio("The recording is silent; check the microphone and record the note again.")
    return CleanAudio(_wav_bytes(_loudness_normalized(samples)), round(duration, 3), peak_dbfs)


def _too_long(length: str, limit: float) -> str:
    return (
        f"The note lasts {length}; the limit is {limit / 60:g} minutes. "
        "Please split it into shorter notes."
    )
