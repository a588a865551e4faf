"""Where the in-process flow spends its time over the steps called directly: a cProfile.

    .venv/bin/python bench/profile_flow.py [NOTE] [--language en] [--top 30]

A Prefect server process (as the stack runs it), the model loaded beforehand, one warm-up
run (imports, first connections), then the note once directly (each task's plain function)
and once as the real flow run in this thread, profiled from its creation to Published; a
second thread approves the draft as soon as it waits. Prints the flow's and the direct
path's times and the profile's top lines by cumulative and by own time; the full profile
goes to bench/results/profile_flow.prof (`python -m pstats` reads it).
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import prepare  # noqa: E402

HOME, PORT = prepare()  # before Prefect is imported

from bench import served  # noqa: E402
from bench.memory import PeakMemory  # noqa: E402
from bench.pipeline import direct  # noqa: E402


def flow_here(note: Path, run_key: str, options) -> float:
    """The flow run in this thread (what LocalRun runs in its own), approved at the gate."""
    from prefect import get_client
    from prefect.flow_engine import run_flow
    from prefect.settings import temporary_settings

    from flows.approval import decide
    from flows.results import result_storage_settings
    from flows.runs import run_tags, wait_for_state
    from flows.voice_to_script import voice_to_script

    start = time.perf_counter()
    parameters = {"source": str(note), "run_key": run_key, "options": options}
    with get_client(sync_client=True) as client:
        flow_run = client.create_flow_run(
            voice_to_script, parameters=parameters, tags=run_tags(run_key)
        )

    def approve() -> None:
        wait_for_state(flow_run.id, lambda s: s.is_paused(), timeout_s=600, poll_s=0.05)
        decide(flow_run.id, "approve")

    approver = threading.Thread(target=approve, daemon=True)
    approver.start()
    with temporary_settings(updates=result_storage_settings()):
        state = run_flow(voice_to_script, flow_run=flow_run, parameters=parameters,
                         return_type="state")  # fmt: skip
    approver.join()
    if state.name != "Published":
        raise RuntimeError(f"the profiled run ended {state.name}: {state.message}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("note", nargs="?", default=str(ROOT / "tests" / "data" / "speech_60s.ogg"))
    parser.add_argument("--language", default="en")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    from editorbot.run_key import make_run_key
    from editorbot.schemas import RunOptions
    from editorbot.settings import get_settings
    from editorbot.whisper import get_engine

    note, options = Path(args.note), RunOptions(language=args.language)
    stamp = time.strftime("%H%M%S")
    get_engine(get_settings())
    with served.server(HOME, PORT, PeakMemory()):
        flow_here(note, make_run_key("warmup", stamp), options)
        a = direct(note, make_run_key("direct", stamp), options)
        a_total = a["to_draft"] + a["approval_to_published"]
        profile = cProfile.Profile()
        profile.enable()
        flow_total = flow_here(note, make_run_key("profiled", stamp), options)
        profile.disable()

    out = ROOT / "bench" / "results" / "profile_flow.prof"
    out.parent.mkdir(parents=True, exist_ok=True)
    profile.dump_stats(out)
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"direct {a_total:.2f} s, flow (profiled, gate wait included) {flow_total:.2f} s")
    for order in ("cumulative", "tottime"):
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats(order).print_stats(args.top)
        print(text.getvalue())
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
