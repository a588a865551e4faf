"""Rendering a 60 s note: each format's time against real time, the preview, peak memory, and
the same plan through a MoviePy 2 composite, side by side in one run."""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: `python bench/render.py`

CLIP = ROOT / "tests" / "data" / "speech_60s.ogg"
RESULTS = ROOT / "bench" / "results" / "render.json"
FORMAT_IDS = ("9x16", "16x9", "1x1", "4x5", "preview")
TARGETS = {
    "9x16+16x9": "<= 0.5 of the note",
    "preview": "<= 3 s",
    "moviepy": ">= 5x slower than ours",
    "rss": "<= 300 MB",
}


def _prepare(folder: Path) -> tuple[Path, Path]:
    """The cleaned voice, its real transcript, the offline draft of it, and its render plan."""
    from editorbot.audio import clean_audio
    from editorbot.offline.structurer import build_beats
    from editorbot.schemas import Script, ScriptMetadata
    from editorbot.settings import Settings
    from editorbot.templates import load_template
    from editorbot.video.background import OfflineBackgrounds
    from editorbot.video.compiler import compile_render_plan
    from editorbot.video.formats import FORMATS
    from editorbot.video.plan import VoiceTrack
    from editorbot.whisper import get_engine

    clean = clean_audio(CLIP.read_bytes(), 600, -50)
    voice = folder / "voice.wav"
    voice.write_bytes(clean.wav)
    transcript = get_engine(Settings()).transcribe(voice, "en", 1)
    beats = build_beats(transcript.text, load_template("opinion"))
    script = Script(
        script_id="bench", language="es", dialect="neutral", template_id="opinion",
        structure_type="opinion", total_duration_seconds=sum(
            b.estimated_duration_seconds for b in beats), beats=beats,
        metadata=ScriptMetadata(model="offline"),
    )  # fmt: skip
    plan = compile_render_plan(
        script, transcript, VoiceTrack(key="audio/cleaned/bench.wav",
                                       duration_s=clean.duration_s),
        list(FORMATS.values()), OfflineBackgrounds().background(script, "opinion"),
        "2026/01/01/cli-benchrender0", "opinion",
    )  # fmt: skip
    plan_file = folder / "plan.json"
    plan_file.write_text(plan.model_dump_json())
    return voice, plan_file


def _child(engine: str, plan_file: Path, format_id: str, voice: Path) -> dict:
    """In this fresh process: one render and its wall time."""
    from editorbot.video.ffmpeg import RenderFiles, background_arguments, run_ffmpeg
    from editorbot.video.plan import load_render_plan

    plan = load_render_plan(plan_file.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        if engine == "ffmpeg":
            from editorbot.video.ffmpeg import render_file

            render_file(plan, format_id, voice, workdir)
        else:
            from bench.moviepy_peer import render_with_moviepy
            from editorbot.video.fonts import fonts_dir

            # The same still as ours, drawn by the same ffmpeg call.
            (workdir / "fonts").symlink_to(fonts_dir())
            run_ffmpeg(background_arguments(plan, format_id, RenderFiles()), workdir)
            render_with_moviepy(
                plan, format_id, workdir / "background.png", voice, workdir / "video.mp4"
            )
        return {"seconds": round(time.perf_counter() - started, 2)}


def _children_cpu_s() -> float:
    """CPU seconds used so far by this process's finished children and theirs (ffmpeg)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _measure(engine: str, plan_file: Path, format_id: str, voice: Path, repeats: int) -> dict:
    """Best of `repeats` fresh processes; memory sampled from /proc across the process tree
    (a forked child's own ru_maxrss would count its parent's memory at the fork)."""
    from bench.memory import PeakMemory

    runs = []
    for _ in range(repeats):
        sampler = PeakMemory(interval_s=0.05)
        cpu_before = _children_cpu_s()
        child = subprocess.Popen(
            [sys.executable, __file__, "--child", engine, str(plan_file), format_id, str(voice)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        sampler.watch("python", child.pid, children_name="encoder")
        sampler.start()
        out, _ = child.communicate()
        sampler.stop()
        if child.returncode:
            raise SystemExit(f"{engine} {format_id} failed")
        peaks = sampler.peaks_mb()
        runs.append(
            json.loads(out.strip().splitlines()[-1])
            | {
                "cpu_s": round(_children_cpu_s() - cpu_before, 2),
                "python_rss_mb": peaks.get("python", 0),
                "encoder_rss_mb": peaks.get("encoder", 0),
                "peak_rss_mb": peaks.get("stack", 0),
            }
        )
    best = min(runs, key=lambda r: r["seconds"])
    return best | {
        "all_seconds": [r["seconds"] for r in runs],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="ffmpeg renders per format")
    parser.add_argument("--no-moviepy", action="store_true", help="skip the slow peer")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, plan_file, format_id, voice = args.child
        print(json.dumps(_child(engine, Path(plan_file), format_id, Path(voice))))
        return 0

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        voice, plan_file = _prepare(Path(tmp))
        duration = json.loads(plan_file.read_text())["voice"]["duration_s"]
        rows = []
        for format_id in FORMAT_IDS:
            measured = _measure("ffmpeg", plan_file, format_id, voice, args.repeats)
            rows.append({"engine": "ffmpeg", "format": format_id, **measured})
        peer = None
        if not args.no_moviepy:
            try:
                import moviepy  # noqa: F401
            except ImportError:
                print("MoviePy is not installed: pip install -e '.[bench]'", file=sys.stderr)
            else:
                peer = _measure("moviepy", plan_file, "9x16", voice, 1)
                rows.append({"engine": "moviepy", "format": "9x16", **peer})
    load_after = os.getloadavg()

    for row in rows:
        row["ratio"] = round(row["seconds"] / duration, 3)
    ours = {r["format"]: r for r in rows if r["engine"] == "ffmpeg"}
    summary = {
        "note_s": duration,
        "9x16+16x9_s": round(ours["9x16"]["seconds"] + ours["16x9"]["seconds"], 2),
        "9x16+16x9_ratio": round((ours["9x16"]["seconds"] + ours["16x9"]["seconds"]) / duration, 3),
        "preview_s": ours["preview"]["seconds"],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in rows if r["engine"] == "ffmpeg"),
        "moviepy_slower_x": round(peer["seconds"] / ours["9x16"]["seconds"], 1) if peer else None,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }
    print(f"{'engine':<9}{'format':<9}{'seconds':>9}{'x real time':>13}{'CPU s':>8}"
          f"{'peak RSS MB':>13}{'of which ffmpeg':>17}")  # fmt: skip
    for row in rows:
        print(
            f"{row['engine']:<9}{row['format']:<9}{row['seconds']:>9.2f}{row['ratio']:>13.3f}"
            f"{row['cpu_s']:>8.1f}"
            f"{row['peak_rss_mb']:>13}{row['encoder_rss_mb']:>17}"
        )
    print(
        f"\n9:16 + 16:9: {summary['9x16+16x9_s']} s = {summary['9x16+16x9_ratio']} of the "
        f"{duration:.1f} s note (target {TARGETS['9x16+16x9']}); preview {summary['preview_s']} s "
        f"(target {TARGETS['preview']}); peak RSS {summary['peak_rss_mb']} MB "
        f"(target {TARGETS['rss']})"
    )
    if peer:
        print(f"MoviePy 2 composite of the 9:16: {peer['seconds']} s, "
              f"{summary['moviepy_slower_x']}x ours (target {TARGETS['moviepy']})")  # fmt: skip
    print(f"load average before {summary['load_average_before']}, "
          f"after {summary['load_average_after']} on {os.cpu_count()} cores")  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"rows": rows, "summary": summary}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
