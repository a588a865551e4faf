"""This benchmark process's settings, set before Prefect is first imported.

Prefect reads them once per process. `temporary_settings` would not do: it does not reach
the threads Prefect starts, and a LocalRun's flow thread would start an embedded server of
its own instead of talking to the stack's.
"""

import contextlib
import os
import socket
import tempfile
from pathlib import Path

from shells.cli import PREFECT_CLIENT_SETTINGS  # imports no Prefect

AUTH = "editorbot:fake-password-for-bench"


def prepare() -> tuple[Path, int]:
    """A scratch home and the port the stack's server will use; this process's client env."""
    home = Path(tempfile.mkdtemp(prefix="editorbot-bench-"))
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    os.environ.update(
        PREFECT_HOME=str(home / "prefect"),
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_API_AUTH_STRING=AUTH,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL="CRITICAL",
        # As every editorbot command's client: this process submits and decides as the bot.
        **PREFECT_CLIENT_SETTINGS,
        EDITORBOT_STORAGE=f"file://{home / 'data'}",
    )
    return home, port
