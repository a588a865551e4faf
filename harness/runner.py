"""`editorbot serve` in its own process, for tests of the served deployment."""

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.client.schemas.objects import TaskRun
from prefect.events.filters import EventFilter, EventNameFilter, EventOrder, EventResourceFilter
from prefect.exceptions import ObjectNotFound
from prefect.results import ResultRecordMetadata
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL

from flows.runs import settled
from flows.serve import DEPLOYMENT
from harness.fake_secrets import PREFECT_AUTH_STRING
from harness.stack import EDITORBOT, child_env, stop, wait_for_start


@contextlib.contextmanager
def served_deployment(
    prefect_home: Path, *options: str, run_in: str | None = None, **settings: str
) -> Iterator[subprocess.Popen]:
    """Start a runner against this process's Prefect API; yields once it is ready to work.

    `run_in` is `editorbot serve --run-in` (processes or threads); without it,
    $HARNESS_SERVE_RUN_IN if set (to run the served tests in threads), else serve's default.
    `options` go to `editorbot serve` (e.g. --run-slots 2); `settings` are extra
    environment variables (storage, Telegram); the test's own
    PREFECT_* and EDITORBOT_* variables are not passed on. Its output goes to
    `prefect_home/serve.log`, its transcription worker's too. The runner leads its own
    process group, so a test can kill it together with the flow runs it started and its
    transcriber, as a VM losing power would (`kill_group`).
    """
    prefect_home.mkdir(parents=True, exist_ok=True)
    log = prefect_home / "serve.log"
    before = _subscriptions(log)
    run_in = run_in or os.environ.get("HARNESS_SERVE_RUN_IN")
    if run_in:
        options = ("--run-in", run_in, *options)
    with log.open("a") as output:
        process = subprocess.Popen(
            [*EDITORBOT, "serve", *options],
            env=child_env(PREFECT_HOME=str(prefect_home), **_client_api(), **settings),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    # Ready once the deployment exists and its transcriber (unless --transcribers 0) listens.
    transcribers = (
        "--transcribers" not in options or options[options.index("--transcribers") + 1] != "0"
    )
    try:
        wait_for_start(
            process,
            log,
            lambda: _deployment_exists() and (not transcribers or _subscriptions(log) > before),
        )
        yield process
    finally:
        stop(process)
        kill_group(process)  # flow runs it may have left behind


@contextlib.contextmanager
def transcription_worker(prefect_home: Path, **settings: str) -> Iterator[subprocess.Popen]:
    """`editorbot transcriber` on its own (for runners started with --transcribers 0);
    yields once it listens for notes. Output in `prefect_home/transcriber.log`."""
    prefect_home.mkdir(parents=True, exist_ok=True)
    log = prefect_home / "transcriber.log"
    before = _subscriptions(log)
    with log.open("a") as output:
        process = subprocess.Popen(
            [*EDITORBOT, "transcriber"],
            env=child_env(PREFECT_HOME=str(prefect_home), **_client_api(), **settings),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_start(process, log, lambda: _subscriptions(log) > before)
        yield process
    finally:
        stop(process)


def transcriber_pids(runner: subprocess.Popen) -> list[int]:
    """The process ids of the transcription workers `editorbot serve` started."""
    return [pid for pid, command in _children(runner) if b"transcriber" in command]


def flow_run_pids(runner: subprocess.Popen) -> list[int]:
    """The process ids of the Python children of `editorbot serve` that are not transcribers:
    the flow-run processes Prefect's runner starts (ffmpeg and the renderer are not Python)."""
    return [
        pid
        for pid, command in _children(runner)
        if Path(command[0].decode()).name.startswith("python") and b"transcriber" not in command
    ]


def _children(runner: subprocess.Popen) -> list[tuple[int, list[bytes]]]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue  # not a process, or it exited while we looked
        if parent == runner.pid:
            found.append((int(entry.name), command))
    return found


def _client_api() -> dict[str, str]:
    # A client refuses to start without an auth string; the test harness's server, which
    # checks none, takes the fake one. The setting's value is the plain string.
    return {
        "PREFECT_API_URL": PREFECT_API_URL.value(),
        "PREFECT_API_AUTH_STRING": PREFECT_API_AUTH_STRING.value() or PREFECT_AUTH_STRING,
    }


def _subscriptions(log: Path) -> int:
    """How many times a transcriber wrote to `log` that it listens for notes."""
    text = log.read_text(errors="replace") if log.exists() else ""
    # The serve process's render worker subscribes too, to `render_preview`.
    return text.count("Subscribing to runs of task(s): recognize_speech")


def _deployment_exists() -> bool:
    with get_client(sync_client=True) as client:
        try:
            client.read_deployment_by_name(DEPLOYMENT)
        except ObjectNotFound:
            return False
    return True


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL a runner and every flow run process it started; nothing gets to clean up."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)


def recorded_task_runs(flow_run_id: UUID) -> list[TaskRun]:
    """The run's task runs, oldest first, once they read the same for TASK_RUNS_SETTLE_S."""

    def read() -> list[TaskRun]:
        with get_client(sync_client=True) as client:
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
            )
        return sorted(runs, key=lambda t: t.expected_start_time)

    # Each task run's latest state: a running one's other fields (its run time) change anyway.
    return settled(read, key=lambda runs: [(t.id, t.state_id) for t in runs])


def task_states(flow_run_id: UUID, prefix: str) -> list[str]:
    """The states of a run's task runs named `prefix…`, oldest first, once all are recorded."""
    named = [t for t in recorded_task_runs(flow_run_id) if t.name.startswith(prefix)]
    # A task run the busy server has not given its first state yet reads as None.
    return [t.state.name if t.state else None for t in named]


def run_logs(flow_run_id: UUID) -> list[str]:
    """The messages of a run's logs on the server, oldest first."""
    with get_client(sync_client=True) as client:
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
        )
    return [entry.message for entry in logs]


def processes_that_ran(flow_run_id: UUID) -> list[int]:
    """The ids of the processes that ran each segment of a run, as the flow logged them."""
    return [
        int(found[1])
        for line in run_logs(flow_run_id)
        if (found := re.match(r"Running in process (\d+) ", line))
    ]


def first_result(flow_run_id: UUID, prefix: str) -> ResultRecordMetadata:
    """Where Prefect says the first task run named `prefix…` persisted its result."""
    first = next(t for t in recorded_task_runs(flow_run_id) if t.name.startswith(prefix))
    assert isinstance(first.state.data, ResultRecordMetadata), first.state
    return first.state.data


def slot_events(limit_name: str, expected: int, poll_s: float = 0.5) -> list:
    """The global limit's acquired/released events, oldest first, once `expected` are stored
    (or after 60 s: the server stores events a moment after they come)."""
    with get_client(sync_client=True) as client:
        limit_id = client.read_global_concurrency_limit_by_name(limit_name).id
        deadline = time.monotonic() + 60
        while True:
            events = client.read_events(
                EventFilter(
                    event=EventNameFilter(
                        name=[
                            "prefect.concurrency-limit.acquired",
                            "prefect.concurrency-limit.released",
                        ]
                    ),
                    resource=EventResourceFilter(id=[f"prefect.concurrency-limit.{limit_id}"]),
                    order=EventOrder.ASC,
                ),
                limit=50,
            ).events
            if len(events) >= expected or time.monotonic() > deadline:
                return events
            time.sleep(poll_s)
