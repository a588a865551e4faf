"""Many notes submitted at once to the service stack: every draft made, none lost, none run twice.

    .venv/bin/python bench/burst.py [--notes 20] [--runners 1] [--decide-after S] [NOTE ...]

A Prefect server process and --runners runners (`editorbot serve`: transcription limit 1
slot, runner poll 2 s). The notes (the same recording, each with its own run key and
idempotency key, so nothing comes from another's cache) are submitted one after another
as fast as the client goes, as the bot submits them. This process then acts as a reviewer
on call: it approves each draft as soon as it waits, until every run has ended; with
--decide-after S it lets each draft wait S seconds first, as a person would (long enough,
and the runs' heartbeat automation has time to act on a run it takes for dead).

Drain time is first submission → the last run's end (its videos rendered). Latency per note
is submission → draft (the run suspended at the gate), from the server's state timestamps;
approval → script is the decision → the script stored (its file's time), approval → videos
the decision → the run's end. "Ran once": every
execution segment of every run (submission → gate, decision → end) has exactly one Running
state, and no note was transcribed twice (the rerun after the decision takes it from the
cache). Peak memory is the sum of RSS over the server's and runners' process trees, flow-run
processes and transcription workers included, sampled every 0.2 s; the same sampling adds
up the CPU seconds each part used (the transcriber apart from its runner), which shows what
the two cores went to.

Before the stack starts, this process measures the limit: the same note, cleaned as the
flow cleans it, transcribed --notes times back to back with the model already loaded. The
drain is read against it. Prints a table with the targets beside the figures; JSON in
bench/results/burst.json.
"""

import argparse
import contextlib
import json
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import prepare  # noqa: E402

HOME, PORT = prepare()  # before Prefect is imported

from bench import served  # noqa: E402
from bench.memory import PeakMemory  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: the smallest value with at least p % of values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


TARGETS = {
    # The drafts: the 2x was set for transcription, before runs also rendered two videos each
    # after approval; the drain with the videos is printed beside it.
    "last_draft_over_back_to_back": ("<=", 2.0),
    "approval_to_script_p95_s": ("<=", 10.0),
    "peak_rss_stack_mb": ("<=", 1200),
}


def transcriber_use(per_run: list[dict], first: float) -> dict[str, float]:
    """How the transcription slot was used during the burst, from the slot's acquired and
    released events: from the first note taking it to the last giving it back, the seconds
    it was held, a note's hold p50; and how long a note handed to the worker waited for the
    worker to take it (`transcribe` started → `recognize_speech` started)."""
    from harness.runner import slot_events
    from tasks.recognize_speech import TRANSCRIPTION_SLOTS

    events = slot_events(TRANSCRIPTION_SLOTS, expected=2 * len(per_run))
    holds, taken = [], None
    for event in events:  # one slot: taken, given back, taken…
        at = event.occurred.timestamp() - first
        if event.event.endswith("acquired"):
            taken = at
        elif taken is not None:
            holds.append((taken, at - taken))
            taken = None
    waits = []
    for run in per_run:
        starts: dict[str, float] = {}
        for name, start, _ in run["steps"]:  # each step's first run: the gate's, not the rerun's
            starts.setdefault(name.rsplit("-", 1)[0], start)
        if {"transcribe", "recognize_speech"} <= starts.keys():
            waits.append(starts["recognize_speech"] - starts["transcribe"])
    if not holds or not waits:
        return {}
    return {
        "slot_first_taken_s": holds[0][0],
        "slot_last_released_s": holds[-1][0] + holds[-1][1],
        "slot_held_s": sum(seconds for _, seconds in holds),
        "slot_hold_p50_s": percentile([seconds for _, seconds in holds], 50),
        "handed_over_to_taken_p50_s": percentile(waits, 50),
        "handed_over_to_taken_max_s": max(waits),
    }


def back_to_back(note: Path, language: str, times: int) -> float:
    """Seconds to transcribe the cleaned note `times` in a row with the model loaded."""
    from editorbot.audio import clean_audio
    from editorbot.settings import get_settings
    from editorbot.whisper import get_engine

    settings = get_settings()
    clean = clean_audio(note.read_bytes(), settings.max_audio_seconds, settings.silence_dbfs)
    wav = Path(HOME) / "back-to-back.wav"
    wav.write_bytes(clean.wav)
    engine = get_engine(settings)
    started = time.perf_counter()
    for _ in range(times):
        engine.transcribe(wav, language, settings.whisper_beam_size)
    return time.perf_counter() - started


def approve_until_drained(run_ids: list, timeout_s: float, after_s: float = 0) -> dict:
    """Approve each draft once it has waited `after_s` at the gate; return when every run has
    ended. {id: approved at}. A crashed run has not ended: a runner's sweep takes it up."""
    approved, ended = {}, set()
    deadline = time.monotonic() + timeout_s
    while len(ended) < len(run_ids):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(run_ids) - len(ended)} runs still going after {timeout_s} s")
        for run in served.read_runs([i for i in run_ids if i not in ended]):
            waited = time.time() - run.state.timestamp.timestamp()
            if run.state.is_paused() and run.id not in approved and waited >= after_s:
                approved[run.id] = served.approve(run.id)
            elif run.state.is_final() and not run.state.is_crashed():
                ended.add(run.id)
        time.sleep(0.5)
    return approved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "note", nargs="?", default=str(ROOT / "tests" / "data" / "es_rioplatense_synth.ogg")
    )
    parser.add_argument("--language", default="es")
    parser.add_argument("--dialect", default="rioplatense")
    parser.add_argument("--notes", type=int, default=20)
    parser.add_argument("--runners", type=int, default=1)
    parser.add_argument(
        "--run-slots",
        type=int,
        default=4,
        help="runs per runner at once (compose.yaml: 4; 0: no cap)",
    )
    parser.add_argument(
        "--run-in",
        choices=("processes", "threads"),
        default="processes",
        help="where serve runs new notes (editorbot serve --run-in)",
    )
    parser.add_argument(
        "--postgres", action="store_true", help="the server on PostgreSQL instead of SQLite"
    )
    parser.add_argument(
        "--decide-after",
        type=float,
        default=0,
        metavar="S",
        help="the reviewer approves a draft once it has waited S seconds (default: at once)",
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds for the whole drain")
    args = parser.parse_args()

    from prefect.client.schemas.objects import StateType

    from editorbot.run_key import make_run_key
    from editorbot.schemas import RunOptions
    from harness.stack import postgres_database

    note = Path(args.note)
    options = RunOptions(language=args.language, dialect=args.dialect)
    storage = os.environ["EDITORBOT_STORAGE"]
    stamp = time.strftime("%H%M%S")
    keys = [make_run_key("burst", f"{stamp}n{i}") for i in range(args.notes)]

    print(f"logs and data in {HOME}", file=sys.stderr)
    limit_s = back_to_back(note, args.language, args.notes)
    memory = PeakMemory()
    memory.start()
    with contextlib.ExitStack() as parts:
        database = parts.enter_context(postgres_database()) if args.postgres else None
        parts.enter_context(served.server(HOME, PORT, memory, database))
        for i in range(args.runners):
            runner = served.runner(
                HOME,
                storage,
                memory,
                name=f"runner-{i + 1}",
                run_slots=args.run_slots,
                run_in=args.run_in,
            )
            parts.enter_context(runner)
        submitted = dict(served.submit_note(note, key, options) for key in keys)
        submit_span = max(submitted.values()) - min(submitted.values())
        run_ids = list(submitted)
        approved = approve_until_drained(run_ids, args.timeout, args.decide_after)
        runs = {run.id: run for run in served.read_runs(run_ids)}
        on_server = len(served.read_runs_of_deployment())
        transcribed = served.transcriptions(run_ids)
        per_run = []
        for run_id in run_ids:
            states = served.history(run_id)
            per_run.append(
                {"run_id": str(run_id), "run_key": runs[run_id].parameters["run_key"],
                 "final": runs[run_id].state.name, "message": runs[run_id].state.message,
                 "ran_once": served.ran_once(states),
                 "crashed": sum(s.type == StateType.CRASHED for s in states),
                 "transcriptions": transcribed[run_id],
                 "submitted": submitted[run_id], "approved": approved.get(run_id),
                 "end": max(s.timestamp.timestamp() for s in states),
                 "steps": served.steps(run_id, submitted[run_id]),
                 **served.timings(states, submitted[run_id], approved.get(run_id))}
            )  # fmt: skip
        worker = transcriber_use(per_run, min(submitted.values()))  # events: the server's
    memory.stop()

    data = Path(storage.removeprefix("file://"))
    drafts = sum(any((data / "drafts" / key).glob("*")) for key in keys)
    published = sum((data / "scripts" / f"{key}.json").is_file() for key in keys)
    first = min(submitted.values())
    to_draft = [r["to_draft"] for r in per_run if r["to_draft"] is not None]
    to_published = [r["approval_to_published"] for r in per_run if r.get("approval_to_published")]
    # The script is published first; the run then renders its videos (one render slot for
    # the stack) and only ends after them.
    scripts = {r["run_key"]: data / "scripts" / f"{r['run_key']}.json" for r in per_run}
    to_script = [
        scripts[r["run_key"]].stat().st_mtime - r["approved"]
        for r in per_run
        if r["approved"] is not None and scripts[r["run_key"]].is_file()
    ]
    last_draft = max(r["submitted"] + r["to_draft"] for r in per_run if r["to_draft"]) - first
    summary = {
        "notes": args.notes,
        "runners": args.runners,
        "run_slots_per_runner": args.run_slots or None,
        "run_in": args.run_in,
        "database": "postgresql" if args.postgres else "sqlite",
        "submitted_in_s": submit_span,
        "flow_runs_on_server": on_server,
        "reached_the_gate": len(to_draft),
        "draft_files": drafts,
        "published": published,
        "not_published": {r["run_key"]: r["message"] for r in per_run if r["final"] != "Published"},
        "ran_once": all(r["ran_once"] for r in per_run),
        "transcribed_twice": sum(r["transcriptions"] > 1 for r in per_run),
        "decided_after_s": args.decide_after,
        "runs_marked_crashed": sum(r["crashed"] > 0 for r in per_run),
        "last_draft_s": last_draft,
        "drain_s": max(r["end"] for r in per_run) - first,
        **worker,
        "warm_back_to_back_s": limit_s,
        "to_draft_p50_s": percentile(to_draft, 50),
        "to_draft_p95_s": percentile(to_draft, 95),
        "approval_to_script_p50_s": percentile(to_script, 50) if to_script else None,
        "approval_to_script_p95_s": percentile(to_script, 95) if to_script else None,
        "approval_to_videos_p50_s": percentile(to_published, 50) if to_published else None,
        "approval_to_videos_p95_s": percentile(to_published, 95) if to_published else None,
        "peak_rss_mb": memory.peaks_mb(),
        "cpu_s_to_last_draft": {
            part: round(seconds, 1)
            for part, seconds in memory.cpu_s(first, first + last_draft).items()
        },
        "most_flow_run_processes": memory.most_children,
        "load_average_end": os.getloadavg(),
    }
    summary["last_draft_over_back_to_back"] = summary["last_draft_s"] / limit_s
    summary["drain_over_back_to_back"] = summary["drain_s"] / limit_s
    summary["peak_rss_stack_mb"] = summary["peak_rss_mb"].get("stack")
    slots = args.run_slots or "unlimited"
    print(
        f"{note.name} × {args.notes}, {args.runners} runner(s) × {slots} run slots in "
        f"{args.run_in}, 1 transcription slot"
    )
    for name, value in summary.items():
        if name == "peak_rss_mb":
            for part, mb in value.items():
                print(f"  {'peak RSS MB, ' + part:<30} {mb}")
        elif name == "cpu_s_to_last_draft":
            for part, seconds in value.items():
                print(f"  {'CPU s to last draft, ' + part:<30} {seconds}")
        elif name == "load_average_end":
            print(f"  {name:<30} {' '.join(f'{x:.1f}' for x in value)}")
        else:
            shown = f"{value:.2f}" if isinstance(value, float) else str(value)
            if name in TARGETS:
                shown += f"   (target {TARGETS[name][0]} {TARGETS[name][1]})"
            print(f"  {name:<30} {shown}")
    out = ROOT / "bench" / "results" / "burst.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"note": note.name, **summary, "runs": per_run}, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
