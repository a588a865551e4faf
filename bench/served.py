"""The service stack for benchmarks: a Prefect server, runners, notes submitted like the bot.

The processes are started by harness/ (harness/stack.py, harness/runner.py) as the system
tests start them, so the benchmark measures exactly what the system tests run. Times come
from the server's own state timestamps, so how often this process polls does not blur them.
"""

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterName,
    FlowRunFilter,
    FlowRunFilterId,
    TaskRunFilter,
    TaskRunFilterName,
)
from prefect.client.schemas.objects import FlowRun, State, StateType

from bench.environment import AUTH
from bench.memory import PeakMemory
from editorbot.schemas import RunOptions
from flows.approval import decide
from flows.runs import settled
from flows.serve import DEPLOYMENT, submit
from harness.runner import recorded_task_runs, served_deployment
from harness.stack import PrefectServer, compose_environment


@contextlib.contextmanager
def server(
    home: Path, port: int, memory: PeakMemory, database_url: str | None = None
) -> Iterator[PrefectServer]:
    """`editorbot-prefect-server` (SQLite unless `database_url`, basic auth) on `port`."""
    running = PrefectServer(home / "server", database_url, auth=AUTH, port=port)
    running.start()
    try:
        memory.watch("server", running.process.pid)
        yield running
    finally:
        running.stop()


@contextlib.contextmanager
def runner(
    home: Path,
    storage: str,
    memory: PeakMemory,
    poll_s: int = 2,
    name: str = "runner",
    run_slots: int | None = None,
    *options: str,
    run_in: str = "processes",
    **settings: str,
) -> Iterator[subprocess.Popen]:
    """`editorbot serve --run-in run_in` polling every `poll_s` (at most `run_slots` runs at
    once, if given; `options` and `settings` for the rest); yields once it has polled for work."""
    started = time.time()
    settings = {
        "EDITORBOT_STORAGE": storage,
        "PREFECT_RUNNER_POLL_FREQUENCY": str(poll_s),
        # compose.yaml's heartbeats: their events, and the automation that watches for them.
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": compose_environment("runner")[
            "PREFECT_FLOWS_HEARTBEAT_FREQUENCY"
        ],
        **settings,
    }  # task results go beside the artifacts (flows/results.py), shared by every runner
    options = (*(("--run-slots", str(run_slots)) if run_slots else ()), *options)
    with served_deployment(home / name, *options, run_in=run_in, **settings) as process:
        # In threads the runs are serve's own: its children are ffmpeg and the renderer.
        children = "flow run" if run_in == "processes" else "ffmpeg or render child"
        memory.watch(name, process.pid, children_name=children)
        # The deployment may exist from an earlier runner: wait until this one has registered
        # it again (`updated`) and the server has been polled since.
        with get_client(sync_client=True) as client:
            deadline = time.monotonic() + 120
            while True:
                deployment = client.read_deployment_by_name(DEPLOYMENT)
                marks = (deployment.updated, deployment.last_polled)
                if all(mark is not None and mark.timestamp() >= started for mark in marks):
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} never polled for runs")
                time.sleep(0.2)
        try:
            yield process
        finally:
            memory.roots.pop(name, None)


def submit_note(source: Path | str, run_key: str, options: RunOptions) -> tuple[UUID, float]:
    """Queue a note (a path, or `text:<words>`) as the bot does; returns run id and time."""
    submitted = time.time()
    run = submit(str(source), run_key, options, idempotency_key=f"bench-{run_key}")
    return run.id, submitted


def read_runs(ids: list[UUID]) -> list[FlowRun]:
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)), limit=len(ids)
        )


def read_runs_of_deployment() -> list[FlowRun]:
    """Every run of the deployment on the server, however it was created."""
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["voice-to-script"]))
        )


def approve(run_id: UUID) -> float:
    """Decide the waiting draft as a reviewer would; returns when the decision was sent."""
    approved = time.time()
    decide(run_id, "approve")
    return approved


def history(run_id: UUID) -> list[State]:
    with get_client(sync_client=True) as client:
        return sorted(client.read_flow_run_states(run_id), key=lambda s: s.timestamp)


def segments(states: list[State]) -> list[list[State]]:
    """A run's execution segments: the gate (a Paused/Suspended state) ends one.

    A served run is suspended at the gate (its process exits) and rescheduled by the
    decision, so an approved run has two segments: submission → gate, decision → end.
    """
    parts: list[list[State]] = [[]]
    for state in states:
        parts[-1].append(state)
        if state.type == StateType.PAUSED:
            parts.append([])
    return [part for part in parts if part]


def ran_once(states: list[State]) -> bool:
    """Nothing was executed twice: every execution segment has exactly one Running state, but
    a waiting run marked crashed and put back at its gate (flows/recovery.py), which has none."""
    back_at_the_gate = [StateType.CRASHED, StateType.PAUSED]
    return all(
        sum(s.type == StateType.RUNNING for s in part) == 1
        or [s.type for s in part] == back_at_the_gate
        for part in segments(states)
    )


def timings(states: list[State], submitted: float, approved: float | None) -> dict[str, float]:
    """Seconds from submission (or approval) to the server's timestamps of each milestone."""

    def first(kind: StateType, after: float) -> float | None:
        found = [s.timestamp.timestamp() for s in states if s.type == kind]
        found = [t for t in found if t >= after]
        return min(found) - after if found else None

    out = {
        "to_pending": first(StateType.PENDING, submitted),
        "to_running": first(StateType.RUNNING, submitted),
        "to_draft": first(StateType.PAUSED, submitted),
    }
    if approved is not None:
        out["approval_to_pending"] = first(StateType.PENDING, approved)
        out["approval_to_running"] = first(StateType.RUNNING, approved)
        out["approval_to_published"] = first(StateType.COMPLETED, approved)
    return out


def transcriptions(run_ids: list[UUID]) -> dict[UUID, int]:
    """How many times each run really transcribed: the most task runs Completed, not Cached,
    of the flow's step (`transcribe`) or of the worker's (`recognize_speech`)."""
    return settled(lambda: _transcriptions(run_ids))


def _transcriptions(run_ids: list[UUID]) -> dict[UUID, int]:
    steps = {step: dict.fromkeys(run_ids, 0) for step in ("transcribe", "recognize_speech")}
    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=run_ids)),
            task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="transcribe")),
        ) + client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=run_ids)),
            task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="recognize_speech")),
        )
    for task_run in task_runs:
        if task_run.state is not None and task_run.state.name == "Completed":
            steps[task_run.name.rsplit("-", 1)[0]][task_run.flow_run_id] += 1
    return {run_id: max(counts[run_id] for counts in steps.values()) for run_id in run_ids}


def steps(run_id: UUID, since: float) -> list[tuple[str, float, float]]:
    """The run's task runs (the worker's too) as (name, start, seconds), start counted from
    `since`, in the order they started: where a note's time went, from the server's clock."""
    task_runs = recorded_task_runs(run_id)
    out = []
    for task_run in task_runs:
        if task_run.start_time is None:
            continue  # cached or never started: it took no time
        start = task_run.start_time.timestamp()
        end = task_run.end_time.timestamp() if task_run.end_time else start
        out.append((task_run.name, start - since, end - start))
    return sorted(out, key=lambda step: step[1])


@contextlib.contextmanager
def bot(home: Path, running: PrefectServer, memory: PeakMemory) -> Iterator[None]:
    """`editorbot bot` (deployment mode) polling a fake Bot API, watched for its memory."""
    from harness.fake_secrets import TELEGRAM_TOKEN
    from harness.fakes.telegram import FakeTelegram
    from harness.stack import bot_process

    telegram = FakeTelegram(TELEGRAM_TOKEN).start()
    settings = {"EDITORBOT_TELEGRAM_TOKEN": TELEGRAM_TOKEN, "EDITORBOT_ALLOWED_USERS": "1"}
    try:
        with bot_process(home / "bot", running, telegram, **settings) as process:
            memory.watch("bot (polling, idle)", process.pid)
            yield
    finally:
        telegram.stop()
