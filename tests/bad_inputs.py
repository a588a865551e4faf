"""Real malformed notes, made once per session, and the words each one's refusal must use."""

import random
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

# The over-long tone is checked against this limit rather than the default ten minutes:
# a tone far over ten minutes takes tens of seconds to encode on a busy 2-core machine.
MAX_AUDIO_SECONDS = 30
TONE_SECONDS = 120


@dataclass(frozen=True)
class BadInput:
    name: str
    filename: str
    reason: str  # words the one sentence must contain to name the problem

    def __str__(self) -> str:  # the test id
        return self.name


BAD_INPUTS = [
    BadInput("empty", "empty.ogg", "empty"),
    BadInput("truncated-ogg", "truncated.ogg", "cut off"),
    BadInput("image-renamed", "image.ogg", "no sound in it"),
    BadInput("random-bytes", "random.ogg", "not audio we can read"),
    BadInput("text", "text.ogg", "not audio we can read"),
    BadInput("silence", "silence.ogg", "silent"),
    # Loud enough to pass the silence check and short enough for the limit, but no words.
    BadInput("tone-without-speech", "short-tone.ogg", "no speech"),
    BadInput("overlong-tone", "tone.ogg", f"the limit is {MAX_AUDIO_SECONDS / 60:g} minutes"),
    BadInput("wav-header-only", "header.wav", "holds no sound"),
]


def _ffmpeg(*args) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", *map(str, args)], check=True, timeout=120
    )


def _wav_header_without_data() -> bytes:
    """What a recorder that died before its first sample leaves: a 44-byte header, data size 0."""
    channels, rate, bits = 1, 16_000, 16
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * bits // 8, 2, bits)
    header = b"RIFF" + struct.pack("<I", 36) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
    return header + b"data" + struct.pack("<I", 0)


def make_bad_inputs(out: Path, recording: Path) -> dict[str, Path]:
    """Write every file of BAD_INPUTS under `out`; `recording` is a real Ogg/Opus note to cut."""
    out.mkdir(parents=True, exist_ok=True)
    whole = recording.read_bytes()
    image = out / "image.png"
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x64", "-frames:v", "1", image)
    _ffmpeg(
        "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "5", "-c:a", "libopus",
        out / "silence.ogg",
    )  # fmt: skip
    _ffmpeg(
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=8000:duration={TONE_SECONDS}",
        "-c:a", "libopus", "-b:a", "6k", out / "tone.ogg",
    )  # fmt: skip
    _ffmpeg(
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000:duration=5", "-c:a", "libopus",
        out / "short-tone.ogg",
    )  # fmt: skip
    written = {
        "empty.ogg": b"",
        "truncated.ogg": whole[: len(whole) // 2],  # mid-page, as an interrupted upload leaves it
        "image.ogg": image.read_bytes(),  # a real PNG, renamed
        "random.ogg": random.Random(8).randbytes(64 * 1024),
        "text.ogg": b"just text, not a recording\n" * 40,
        "header.wav": _wav_header_without_data(),
    }
    for filename, data in written.items():
        (out / filename).write_bytes(data)
    return {bad.name: out / bad.filename for bad in BAD_INPUTS}
