"""`editorbot serve` in its own process, for tests of the served deployment."""

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from prefect import get_client
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL

from flows.serve import DEPLOYMENT
from tests.stack import child_env, stop, tail


@contextlib.contextmanager
def served_deployment(
    prefect_home: Path, *options: str, **settings: str
) -> Iterator[subprocess.Popen]:
    """Start a runner against this process's Prefect API; yields once the deployment exists.

    `options` go to `editorbot serve` (e.g. --run-slots 2); `settings` are extra
    environment variables (storage, Telegram); the test's own
    PREFECT_* and EDITORBOT_* variables are not passed on. Its output goes to
    `prefect_home/serve.log`.
    """
    prefect_home.mkdir(parents=True, exist_ok=True)
    log = prefect_home / "serve.log"
    api = {"PREFECT_API_URL": PREFECT_API_URL.value()}
    if PREFECT_API_AUTH_STRING.value():  # the setting's value is the plain string
        api["PREFECT_API_AUTH_STRING"] = PREFECT_API_AUTH_STRING.value()
    with log.open("a") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "editorbot.cli", "serve", *options],
            env=child_env(PREFECT_HOME=str(prefect_home), **api, **settings),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        with get_client(sync_client=True) as client:
            while True:
                try:
                    client.read_deployment_by_name(DEPLOYMENT)
                    break
                except ObjectNotFound:
                    assert process.poll() is None, f"editorbot serve exited:\n{tail(log)}"
                    assert time.monotonic() < deadline, f"no deployment appeared:\n{tail(log)}"
                    time.sleep(0.5)
        yield process
    finally:
        stop(process)
