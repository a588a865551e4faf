"""`editorbot serve` in its own process, for tests of the served deployment."""

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL

from flows.serve import DEPLOYMENT
from harness.fake_secrets import PREFECT_AUTH_STRING
from harness.stack import EDITORBOT, child_env, stop, wait_for_start


@contextlib.contextmanager
def served_deployment(
    prefect_home: Path, *options: str, **settings: str
) -> Iterator[subprocess.Popen]:
    """Start a runner against this process's Prefect API; yields once the deployment exists.

    `options` go to `editorbot serve` (e.g. --run-slots 2); `settings` are extra
    environment variables (storage, Telegram); the test's own
    PREFECT_* and EDITORBOT_* variables are not passed on. Its output goes to
    `prefect_home/serve.log`. The runner leads its own process group, so a test can kill
    it together with the flow runs it started, as a VM losing power would (`kill_group`).
    """
    prefect_home.mkdir(parents=True, exist_ok=True)
    log = prefect_home / "serve.log"
    # A client refuses to start without an auth string; the test harness's server, which
    # checks none, takes the fake one. The setting's value is the plain string.
    api = {
        "PREFECT_API_URL": PREFECT_API_URL.value(),
        "PREFECT_API_AUTH_STRING": PREFECT_API_AUTH_STRING.value() or PREFECT_AUTH_STRING,
    }
    with log.open("a") as output:
        process = subprocess.Popen(
            [*EDITORBOT, "serve", *options],
            env=child_env(PREFECT_HOME=str(prefect_home), **api, **settings),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_start(process, log, _deployment_exists)
        yield process
    finally:
        stop(process)
        kill_group(process)  # flow runs it may have left behind


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


def task_states(flow_run_id: UUID, prefix: str) -> list[str]:
    """The states of a run's task runs named `prefix…`, oldest first."""
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    ordered = sorted(
        (t for t in runs if t.name.startswith(prefix)), key=lambda t: t.expected_start_time
    )
    return [t.state.name for t in ordered]
