"""One note through the steps called directly, the flow in-process, and the real service stack.

    .venv/bin/python bench/pipeline.py [NOTE] [--language en] [--repeat 3] [--polls 2 10]

(a) direct: each task's plain function in this process. In-process flow: the real flow run
by this process against the stack's server, gate included. (b) served: a Prefect server
process, a runner (`editorbot serve`, its transcription worker beside it with the model
loaded) and the note submitted as the bot submits it; the runner starts a process per flow
run, which hands the note to the worker, and the gate suspends the run, so the decision
reschedules it and the runner's resumption lane finishes it from the cache in its own
process. Each figure
is the median of --repeat runs, each with a fresh run key (nothing from the cache); the
served path uses the first of --polls as the runner's poll frequency.
Run start latency: --latency-samples typed notes (nothing to transcribe) per poll frequency,
submitted like the bot's and approved at once. Times come from the server's state timestamps.
Prints the tables and writes bench/results/pipeline.json.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import prepare  # noqa: E402

HOME, PORT = prepare()  # before Prefect is imported

from bench import served  # noqa: E402
from bench.memory import PeakMemory  # noqa: E402
from flows.runs import wait_for_end, wait_for_state  # noqa: E402

LATENCIES = ("to_pending", "to_running", "approval_to_pending", "approval_to_running")
TYPED = "text:Hoy quiero contar por qué grabo una nota de voz cada mañana antes de trabajar."


def direct(note: Path, run_key: str, options) -> dict[str, float]:
    """Each task's plain function, in order, as one process would call them."""
    from tasks.download import download
    from tasks.mediate import mediate
    from tasks.normalize_audio import normalize_audio
    from tasks.publish import publish
    from tasks.save_draft import save_draft
    from tasks.structure import structure
    from tasks.transcribe import transcribe
    from tasks.write_subtitles import write_subtitles

    start = time.perf_counter()
    raw = download.fn(str(note), run_key)
    cleaned = normalize_audio.fn(raw, run_key)
    transcript = transcribe.fn(cleaned, options.language)
    write_subtitles.fn(transcript, run_key)
    mediated = mediate.fn(transcript.text, options.dialect, [])
    script = structure.fn(mediated, options.template, run_key, transcript.language, 0, [])
    draft = save_draft.fn(script, mediated, run_key)
    to_draft = time.perf_counter() - start
    approved = time.perf_counter()
    publish.fn(run_key, draft.digest)
    stored = time.perf_counter() - approved
    return {"to_draft": to_draft, "approval_to_script": stored, "approval_to_published": stored}


def in_process(note: Path, run_key: str, options) -> dict[str, float]:
    """The real flow in this process (LocalRun, as `editorbot process`), gate included.

    Timed like the served path, from the server's state timestamps: watching the run at
    the CLI's pace (0.5 s) neither blurs the figure nor loads the server while it runs.
    """
    from flows.local_run import LocalRun

    submitted = time.time()
    run = LocalRun(str(note), run_key, options)
    if not run.watch(poll_s=0.5).is_paused():
        raise RuntimeError(f"the in-process run never reached the gate: {run.id}")
    approved = time.time()
    run.decide("approve")
    if run.result(600).name != "Published":
        raise RuntimeError(f"the in-process run was not published: {run.id}")
    timings = served.timings(served.history(run.id), submitted, approved)
    return {
        "to_draft": timings["to_draft"],
        "approval_to_script": script_stored(run_key) - approved,
        "approval_to_published": timings["approval_to_published"],
    }


def through_stack(note: Path | str, run_key: str, options) -> dict[str, float]:
    """Submit like the bot, approve as soon as the draft waits, wait for the script."""
    run_id, submitted = served.submit_note(note, run_key, options)
    wait_for_state(run_id, lambda state: state.is_paused(), timeout_s=900)
    approved = served.approve(run_id)
    final = wait_for_end(run_id, timeout_s=900)
    if final.name != "Published":
        raise RuntimeError(f"the served run ended {final.name}: {final.message}")
    states = served.history(run_id)
    return served.timings(states, submitted, approved) | {
        "approval_to_script": script_stored(run_key) - approved,
        "ran_once": served.ran_once(states),
    }


def script_stored(run_key: str) -> float:
    """When the run's script was stored: publishing writes it before the videos render."""
    storage = Path(os.environ["EDITORBOT_STORAGE"].removeprefix("file://"))
    return (storage / "scripts" / f"{run_key}.json").stat().st_mtime


def median(runs: list[dict], field: str) -> float:
    return statistics.median(r[field] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("note", nargs="?", default=str(ROOT / "tests" / "data" / "speech_60s.ogg"))
    parser.add_argument("--language", default="en", help="the note's Whisper language code")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--polls", type=int, nargs="+", default=[2, 10], help="runner poll frequencies, seconds"
    )
    parser.add_argument(
        "--latency-samples", type=int, default=6, help="typed notes per poll frequency"
    )
    parser.add_argument(
        "--run-in",
        choices=("processes", "threads"),
        default="processes",
        help="where serve runs new notes (editorbot serve --run-in)",
    )
    args = parser.parse_args()

    from editorbot.run_key import make_run_key
    from editorbot.schemas import RunOptions
    from editorbot.settings import get_settings
    from editorbot.whisper import get_engine

    note, options = Path(args.note), RunOptions(language=args.language)
    stamp = time.strftime("%H%M%S")
    loaded = time.perf_counter()
    get_engine(get_settings())  # the direct and in-process paths then measure warm work
    model_load = time.perf_counter() - loaded

    print(f"logs and data in {HOME}", file=sys.stderr)
    memory = PeakMemory()
    memory.start()
    runs: dict[str, list[dict]] = {"direct": [], "in_process": []}
    with served.server(HOME, PORT, memory) as server, served.bot(HOME, server, memory):
        for i in range(args.repeat):
            runs["direct"].append(direct(note, make_run_key("direct", f"{stamp}{i}"), options))
            key = make_run_key("inproc", f"{stamp}{i}")
            runs["in_process"].append(in_process(note, key, options))
        for poll in args.polls:
            storage = os.environ["EDITORBOT_STORAGE"]
            with served.runner(HOME, storage, memory, poll_s=poll, run_in=args.run_in):
                if poll == args.polls[0]:
                    runs["served"] = [
                        through_stack(note, make_run_key("served", f"{stamp}{i}"), options)
                        for i in range(args.repeat)
                    ]
                # Typed notes have nothing to transcribe: many start-up samples, cheaply.
                runs[f"typed_poll_{poll}s"] = [
                    through_stack(TYPED, make_run_key(f"typed{poll}", f"{stamp}{i}"), options)
                    for i in range(args.latency_samples)
                ]
    memory.stop()
    peaks = memory.peaks_mb()
    # ru_maxrss (KiB): this process ran the direct path and the in-process flow.
    peaks["bench process (a + in-process)"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )

    rows = []
    for field in ("to_draft", "approval_to_script", "approval_to_published"):
        a, flow, b = (median(runs[p], field) for p in ("direct", "in_process", "served"))
        rows.append(
            {"measure": field, "direct_s": a, "in_process_s": flow, "served_s": b,
             "overhead_s": b - a, "ratio": b / a if a >= 0.01 else None}
        )  # fmt: skip
    latency = [
        {"poll_s": poll}
        | {
            f"{field}_{stat.__name__}": stat(r[field] for r in runs[f"typed_poll_{poll}s"])
            for field in LATENCIES
            for stat in (statistics.median, max)
        }
        for poll in args.polls
    ]
    in_this_process = ("direct", "in_process")
    ran_once = all(r["ran_once"] for p, rs in runs.items() if p not in in_this_process for r in rs)

    cpu = platform.processor() or platform.machine()
    print(f"note: {note.name}; median of {args.repeat}; {os.cpu_count()} cores, {cpu}")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"model load in this process {model_load:.2f} s (before the direct path)")
    print(f"served path, runs in {args.run_in}, the runner polling every {args.polls[0]} s:")
    print(
        f"{'measure':<24}{'direct s':>10}{'in-process s':>14}{'served s':>10}"
        f"{'served-direct s':>17}{'served/direct':>15}"
    )
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "—"
        print(
            f"{r['measure']:<24}{r['direct_s']:>10.2f}{r['in_process_s']:>14.2f}"
            f"{r['served_s']:>10.2f}{r['overhead_s']:>17.2f}{ratio:>15}"
        )
    print(f"run start latency, {args.latency_samples} typed notes per runner poll frequency:")
    heads = ("submit→Pending s", "submit→Running s", "approve→Pending s", "approve→Running s")
    print(f"{'poll s':<8}" + "".join(f"{head:>20}" for head in heads))
    print(f"{'':<8}" + "".join(f"{'median / max':>20}" for _ in heads))
    for r in latency:
        cells = [f"{r[f'{field}_median']:.2f} / {r[f'{field}_max']:.2f}" for field in LATENCIES]
        print(f"{r['poll_s']:<8}" + "".join(f"{cell:>20}" for cell in cells))
    print("peak RSS MB: " + ", ".join(f"{name} {mb}" for name, mb in peaks.items()))
    draft, approval, _ = rows  # the target predates the videos rendered after the script
    for label, value, target in (
        ("note → draft, served / direct", draft["ratio"], "<= 1.5"),
        ("note → draft, in-process / direct", draft["in_process_s"] / draft["direct_s"], "<= 1.3"),
        ("approval → script, served s", approval["served_s"], "<= 3"),
    ):
        print(f"{label:<36}{value:>8.2f}   (target {target})")
    print(f"every served run executed each segment exactly once: {ran_once}")

    out = ROOT / "bench" / "results" / "pipeline.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "note": note.name,
        "repeat": args.repeat,
        "load_average_end": os.getloadavg(),
        "model_load_s": model_load,
        "rows": rows,
        "start_latency": latency,
        "peak_rss_mb": peaks,
        "ran_once": ran_once,
        "runs": runs,
    }
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
