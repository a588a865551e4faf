"""The embedded Prefect server, started so that the kernel stops it when its command dies."""

import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import get_current_settings

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class EmbeddedServer(SubprocessASGIServer):
    """Prefect's temporary server, which gets SIGTERM when the thread that started it ends.

    Prefect stops its server at exit, but a command killed with SIGKILL (Ctrl-\\, out of
    memory, the laptop closed) never exits: the server lived on under PID 1, ~250 MB,
    holding the data dir's database, one more per kill.
    """

    def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
        # Prefect 3.8.8's command and environment (server.py), plus the parent-death signal,
        # with our app, which retries writes its database refused (shells/prefect_server.py).
        server_env = {
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
        }
        return subprocess.Popen(
            args=[
                sys.executable,
                "-m",
                "uvicorn",
                # Where this package is, so the child runs this same code whatever the
                # working directory (first on its path) holds.
                "--app-dir",
                str(Path(__file__).resolve().parents[1]),
                "--factory",
                "shells.prefect_server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ],
            env={
                **os.environ,
                **server_env,
                **get_current_settings().to_environment_variables(exclude_unset=True),
            },
            preexec_fn=_dies_with(os.getpid()),
        )


def _dies_with(parent: int) -> Callable[[], None]:
    """What the forked child runs before exec: SIGTERM (uvicorn's graceful stop) on our death."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the child only calls it

    def set_parent_death_signal() -> None:
        if prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:  # the command died before the signal was asked for
            os._exit(1)

    return set_parent_death_signal


def start_embedded_server() -> None:
    """Start the embedded server now, from the main thread, as the one Prefect's clients use.

    The signal follows the thread that forked the server, not the process: started from one
    of Prefect's worker threads it would stop when that thread does, so it is started here.
    A server already registered (Prefect's test harness, an earlier call) is left as it is.
    Elsewhere than Linux this does nothing, and a killed command may leave the server behind.
    """
    if sys.platform != "linux":
        return  # no parent-death signal elsewhere: Prefect starts its own server when asked
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("the embedded Prefect server is started from the main thread")
    if None not in SubprocessASGIServer._instances:
        EmbeddedServer()  # registers itself under Prefect's default key (None)
    SubprocessASGIServer._instances[None].start()
