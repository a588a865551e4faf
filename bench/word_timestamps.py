"""What word timestamps cost each Whisper engine on the 60 s clip: best time with and without."""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: `python bench/word_timestamps.py`

from editorbot.audio import clean_audio  # noqa: E402
from editorbot.settings import Settings  # noqa: E402

CLIP = ROOT / "tests" / "data" / "speech_60s.ogg"
RESULTS = ROOT / "bench" / "results" / "word_timestamps.json"


def _faster_whisper(wav: Path, settings: Settings, words: bool) -> float:
    from editorbot.whisper import get_engine

    model = get_engine(settings)._model
    started = time.perf_counter()
    segments, _ = model.transcribe(
        str(wav), language="en", beam_size=1, condition_on_previous_text=False,
        word_timestamps=words,
    )  # fmt: skip
    list(segments)  # the generator transcribes as it is read
    return time.perf_counter() - started


def _openai_whisper(wav: Path, settings: Settings, words: bool) -> float:
    from editorbot.whisper import get_engine

    model = get_engine(settings)._model
    started = time.perf_counter()
    model.transcribe(
        str(wav), language="en", temperature=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
        condition_on_previous_text=False, fp16=False, verbose=None, word_timestamps=words,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--engine", choices=("faster-whisper", "openai-whisper", "both"))
    args = parser.parse_args()
    engines = (
        ("faster-whisper", "openai-whisper") if args.engine in (None, "both") else (args.engine,)
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "clip.wav"
        wav.write_bytes(clean_audio(CLIP.read_bytes(), 600, -50).wav)
        for engine in engines:
            settings = Settings(whisper_engine=engine)
            measure = _faster_whisper if engine == "faster-whisper" else _openai_whisper
            try:
                measure(wav, settings, False)  # load the model and warm up, unmeasured
            except Exception as error:  # the openai-whisper extra may be absent
                print(f"{engine}: not measured ({error})")
                continue
            best = {}
            for words in (False, True):
                best[words] = min(measure(wav, settings, words) for _ in range(args.repeats))
            rows.append(
                {
                    "engine": engine,
                    "segments_s": round(best[False], 2),
                    "words_s": round(best[True], 2),
                    "extra_s": round(best[True] - best[False], 2),
                    "ratio": round(best[True] / best[False], 2),
                }
            )
    print(f"{'engine':<16}{'segments s':>12}{'with words s':>14}{'extra s':>9}{'ratio':>7}")
    for row in rows:
        print(
            f"{row['engine']:<16}{row['segments_s']:>12}{row['words_s']:>14}"
            f"{row['extra_s']:>9}{row['ratio']:>7}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"clip": CLIP.name, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
