"""`editorbot serve` in its own process, for tests of the served deployment."""

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from prefect import get_client
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL

from flows.serve import DEPLOYMENT


@contextlib.contextmanager
def served_deployment(prefect_home: Path, **settings: str) -> Iterator[subprocess.Popen]:
    """Start a runner against this process's Prefect API; yields once the deployment exists.

    `settings` are extra environment variables (storage, Telegram); the test's own
    PREFECT_* and EDITORBOT_* variables are not passed on.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "EDITORBOT_"))}
    env.update(
        PREFECT_API_URL=PREFECT_API_URL.value(),
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        **settings,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "editorbot.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        with get_client(sync_client=True) as client:
            while True:
                try:
                    client.read_deployment_by_name(DEPLOYMENT)
                    break
                except ObjectNotFound:
                    assert process.poll() is None, "editorbot serve exited"
                    assert time.monotonic() < deadline, "the deployment never appeared"
                    time.sleep(0.5)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
