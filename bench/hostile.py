"""Time to refuse each hostile note, and what the decode cap saves on the decompression bomb.

    python bench/hostile.py [--repeats N] [--uncapped]

--uncapped also decodes the 10-hour bomb the way normalization did before the cap (the whole
file, captured into memory); it takes minutes and a few GB of RAM.
"""

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: `python bench/hostile.py`

from editorbot.audio import SAMPLE_RATE, clean_audio  # noqa: E402
from editorbot.errors import BadAudio  # noqa: E402
from harness.hostile_notes import BOMB_HOURS, HOSTILE_INPUTS, make_hostile_inputs  # noqa: E402

RECORDING = ROOT / "tests" / "data" / "es_rioplatense_synth.ogg"  # the lures' speech
MAX_AUDIO_SECONDS = 30  # as in the tests

# The decoder as normalization ran it before: format guessed, every protocol, no -t.
UNCAPPED = "ffmpeg -nostdin -v error -i {path} -vn -ac 1 -ar 16000 -f f32le -"
# A child Python that captures the decoder's output the way subprocess.run(capture_output) does.
CAPTURE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "out = subprocess.run(sys.argv[1].split(), capture_output=True).stdout\n"
    "took = time.perf_counter() - start\n"
    "own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "ffmpeg = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(took, len(out), own, ffmpeg)\n"
)


def _refusal_times(corpus: dict[str, Path], repeats: int) -> None:
    print(f"limit {MAX_AUDIO_SECONDS} s; median of {repeats}")
    print(f"{'note':16} {'bytes':>7} {'refused in s':>12}  sentence")
    for hostile in HOSTILE_INPUTS:
        data = corpus[hostile.name].read_bytes()
        times, sentence = [], ""
        for _ in range(repeats):
            start = time.perf_counter()
            try:
                clean_audio(data, MAX_AUDIO_SECONDS, -50.0)
                sentence = "ACCEPTED (a defect)"
            except BadAudio as refused:
                sentence = str(refused)
            times.append(time.perf_counter() - start)
        print(f"{hostile.name:16} {len(data):>7} {statistics.median(times):>12.3f}  {sentence}")


def _uncapped(bomb: Path) -> None:
    command = UNCAPPED.format(path=bomb)
    result = subprocess.run(
        [sys.executable, "-c", CAPTURE, command], capture_output=True, text=True, check=True
    )
    took, size, own_kb, ffmpeg_kb = result.stdout.split()
    hours = int(size) / 4 / SAMPLE_RATE / 3600
    print(
        f"uncapped (before): {float(took):.1f} s, {int(size) / 2**20:.0f} MiB of samples "
        f"({hours:.1f} h) held by the caller; peak RSS caller {int(own_kb) / 1024:.0f} MiB, "
        f"ffmpeg {int(ffmpeg_kb) / 1024:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--uncapped", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = make_hostile_inputs(Path(tmp), RECORDING)
        _refusal_times(corpus, args.repeats)
        bomb = corpus["flac-bomb"]
        print(f"\nbomb: {bomb.stat().st_size} bytes, header says 5 s, holds {BOMB_HOURS} h")
        start = time.perf_counter()
        try:
            clean_audio(bomb.read_bytes(), 600, -50.0)  # the default limit, ten minutes
        except BadAudio as refused:
            print(f"capped at 600+1 s (now): {time.perf_counter() - start:.2f} s; {refused}")
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ffmpeg = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"  peak RSS so far: this process {own:.0f} MiB, largest ffmpeg {ffmpeg:.0f} MiB")
        if args.uncapped:
            _uncapped(bomb)


if __name__ == "__main__":
    main()
