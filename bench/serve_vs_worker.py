"""How fast a queued run starts: `editorbot serve` (served deployment) vs a Prefect process worker.

    .venv/bin/python bench/serve_vs_worker.py [--runs 5] [--poll 2]

Each path gets its own authenticated Prefect server (harness/stack.py) and the same typed note
(`text:`, no Whisper: this measures orchestration, not the pipeline). For each run: submit →
Running (the runner or worker noticed it and started a process), submit → waiting at the gate,
and decision → Completed (a suspended run is rescheduled and must be picked up again). Both
pollers look for work every `--poll` seconds. Prints one table; JSON in
bench/results/serve_vs_worker.json.
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update(
    PREFECT_HOME=tempfile.mkdtemp(prefix="editorbot-bench-client-"),
    PREFECT_SERVER_ANALYTICS_ENABLED="false",
    PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL="CRITICAL",
)

from harness.runner import served_deployment  # noqa: E402
from harness.stack import PrefectServer, child_env, stop  # noqa: E402

NOTE = "text:Hoy quiero contarles por qué el café de la mañana cambia todo mi día de trabajo."


@contextlib.contextmanager
def process_worker(
    home: Path, server: PrefectServer, poll: float, **settings: str
) -> Iterator[None]:
    """prefect.yaml's path: a process work pool, `prefect deploy`, then `prefect worker start`."""
    env = child_env(
        PREFECT_HOME=str(home / "prefect"),
        EDITORBOT_APP_DIR=str(ROOT),
        PREFECT_WORKER_QUERY_SECONDS=str(poll),
        **server.client_env,
        **settings,
    )

    def prefect(*args: str) -> None:
        subprocess.run(["prefect", *args], env=env, cwd=ROOT, check=True, capture_output=True)

    home.mkdir(parents=True, exist_ok=True)
    prefect("work-pool", "create", "editorbot", "--type", "process")
    prefect("--no-prompt", "deploy", "--all")
    with (home / "worker.log").open("a") as log:
        worker = subprocess.Popen(
            ["prefect", "worker", "start", "--pool", "editorbot"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield
    finally:
        stop(worker)


def measure(runs: int, tag: str) -> list[dict[str, float]]:
    from editorbot.run_key import make_run_key
    from editorbot.schemas import RunOptions
    from flows.approval import decide
    from flows.runs import wait_for_state
    from flows.serve import submit

    rows = []
    for i in range(runs):
        key = make_run_key("bench", f"{tag}{i}{time.time_ns()}")
        submitted = time.perf_counter()
        run = submit(NOTE, key, RunOptions(), idempotency_key=key)
        # Polled every 50 ms, not waited for by events: the figures must not include a
        # subscription's set-up, and the poll must not blur them.
        wait_for_state(run.id, lambda s: s.is_running(), timeout_s=300, poll_s=0.05)
        started = time.perf_counter() - submitted
        wait_for_state(run.id, lambda s: s.is_paused(), timeout_s=300, poll_s=0.05)
        at_gate = time.perf_counter() - submitted
        decide(run.id, "reject", "benchmark")
        decided = time.perf_counter()
        wait_for_state(run.id, lambda s: s.is_final(), timeout_s=300, poll_s=0.05)
        finished = time.perf_counter() - decided
        rows.append({"to_running": started, "to_gate": at_gate, "decision_to_done": finished})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--poll", type=float, default=2.0, help="seconds between polls")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="editorbot-bench-"))
    settings = {"EDITORBOT_STORAGE": f"file://{work / 'data'}"}
    results = {}
    for path in ("serve", "worker"):
        server = PrefectServer(work / path / "server")
        server.start()
        try:
            with server.as_client():
                if path == "serve":
                    launcher = served_deployment(
                        work / path / "runner",
                        PREFECT_RUNNER_POLL_FREQUENCY=str(int(args.poll)),
                        **settings,
                    )
                else:
                    launcher = process_worker(work / path, server, args.poll, **settings)
                with launcher:
                    results[path] = measure(args.runs, path)
        finally:
            server.stop()

    print(f"{args.runs} runs each, poll every {args.poll:g} s; {os.cpu_count()} cores; median s")
    print(f"{'measure':<20}{'serve':>8}{'worker':>8}{'worker/serve':>14}")
    summary = {}
    for field in ("to_running", "to_gate", "decision_to_done"):
        a, b = (statistics.median(r[field] for r in results[p]) for p in ("serve", "worker"))
        summary[field] = {"serve_s": a, "worker_s": b, "ratio": b / a}
        print(f"{field:<20}{a:>8.2f}{b:>8.2f}{b / a:>14.2f}")
    out = ROOT / "bench" / "results" / "serve_vs_worker.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"poll_s": args.poll, "summary": summary, "runs": results}, indent=2))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
