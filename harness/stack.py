"""The service stack as the VM runs it, each part in its own process, for whole-stack tests.

`editorbot-prefect-server` (Prefect's server as the image runs it) with basic auth on loopback
(SQLite, or PostgreSQL from Debian's `postgresql` started here), runners (`editorbot serve`,
harness/runner.py) and the bot (`editorbot bot`) polling a fake Bot API. Every part writes its
output to a log file in its own directory, so a failing test can show what the process said.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

from harness.fake_secrets import PREFECT_AUTH_STRING
from harness.s3 import free_port
from shells.healthcheck import probe

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = Path(sysconfig.get_path("scripts"))
EDITORBOT = (sys.executable, "-m", "shells.cli")
"""The `editorbot` command, run with this interpreter (no need for the venv on PATH)."""


def child_env(**settings: str) -> dict[str, str]:
    """This process's environment without its Prefect and EditorBot settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "EDITORBOT_"))}
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env["PATH"] = f"{SCRIPTS}{os.pathsep}{env.get('PATH', '')}"
    env.update(settings)
    return env


def compose_environment(service: str) -> dict[str, str]:
    """The environment compose.yaml gives `service`, as written (`${…}` not filled in)."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return {name: str(value) for name, value in compose["services"][service]["environment"].items()}


def compose_server_settings() -> dict[str, str]:
    """The Prefect settings compose.yaml gives its server, but for those it takes from the host."""
    return {
        name: value
        for name, value in compose_environment("prefect-server").items()
        if name.startswith("PREFECT_") and "${" not in value
    }


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """Ask a process to stop as Ctrl-C would; kill it if it does not within `timeout`."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


def tail(log: Path, lines: int = 40) -> str:
    """The end of a process's log, for assertion messages."""
    if not log.exists():
        return f"(no log at {log})"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def wait_for_start(
    process: subprocess.Popen, log: Path, ready: Callable[[], bool], timeout: float = 120
) -> None:
    """Until `ready()`; fail with the end of the process's log if it exits or takes too long."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, f"{process.args} exited:\n{tail(log)}"
        assert time.monotonic() < deadline, f"{process.args} never got ready:\n{tail(log)}"
        time.sleep(0.2)


class PrefectServer:
    """`editorbot-prefect-server` on loopback with basic auth; restarts on the same port and DB."""

    def __init__(
        self,
        home: Path,
        database_url: str | None = None,
        auth: str = PREFECT_AUTH_STRING,
        port: int | None = None,
    ):
        self.home = home
        self.database_url = database_url
        self.auth = auth
        self.port = port or free_port()
        self.log = home / "server.log"
        self.process: subprocess.Popen | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def client_env(self) -> dict[str, str]:
        """What every client of this server (runner, bot, CLI) needs in its environment."""
        return {"PREFECT_API_URL": self.api_url, "PREFECT_API_AUTH_STRING": self.auth}

    @contextlib.contextmanager
    def as_client(self) -> Iterator[None]:
        """Point this process's Prefect client at the server, auth string included."""
        with temporary_settings(
            {PREFECT_API_URL: self.api_url, PREFECT_API_AUTH_STRING: self.auth}
        ):
            yield

    def start(self, timeout: float = 180) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        settings = {
            "PREFECT_HOME": str(self.home / "prefect"),
            "PREFECT_SERVER_API_AUTH_STRING": self.auth,
            # The UI's browser calls the API here (the SSM tunnel's local port in production).
            "PREFECT_UI_API_URL": self.api_url,
            # compose.yaml's own: slot leases that survive a restart (tests restart the
            # server), task runs recorded in batches.
            **compose_server_settings(),
        }
        if self.database_url:
            settings["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = self.database_url
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                ["editorbot-prefect-server", "--host", "127.0.0.1", "--port", str(self.port)],
                env=child_env(**settings),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while probe(f"{self.api_url}/health") is not None:
            assert self.process.poll() is None, f"the server exited:\n{tail(self.log)}"
            assert time.monotonic() < deadline, f"the server never got healthy:\n{tail(self.log)}"
            time.sleep(0.5)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextlib.contextmanager
def prefect_server(home: Path, database_url: str | None = None) -> Iterator[PrefectServer]:
    server = PrefectServer(home, database_url)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    return found[-1].parent


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a free loopback port; yields an asyncpg database URL.

    PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user
    the Debian package creates; its directory is outside pytest's root-only tmp tree.
    """
    bin_dir = _postgres_bin()
    directory = Path(tempfile.mkdtemp(prefix="editorbot-postgres-"))
    as_owner: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    cluster, port = directory / "cluster", free_port()

    def run(*command: str) -> None:
        subprocess.run([*as_owner, *command], check=True, capture_output=True, timeout=120)

    run(str(bin_dir / "initdb"), "-D", str(cluster), "-U", "postgres", "-A", "trust", "--no-sync")
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(cluster),
        "-o",
        options,
        "-l",
        str(directory / "log"),
        "-w",
        "start",
    )
    try:
        run(
            str(bin_dir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "prefect",
        )
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/prefect"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(cluster), "-m", "immediate", "-w", "stop")
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def bot_process(
    home: Path, server: PrefectServer | None, telegram, **settings: str
) -> Iterator[subprocess.Popen]:
    """`editorbot bot`; yields once it has started.

    With a server, it queues notes on the served deployment; without one, it runs each
    note's flow itself on the embedded Prefect, whose database is `home/prefect/prefect.db`.
    """
    home.mkdir(parents=True, exist_ok=True)
    log = home / "bot.log"
    registered = len(telegram.calls_to("setMyCommands"))
    runs = {"EDITORBOT_BOT_RUNS": "deployment", **server.client_env} if server else {}
    with log.open("a") as output:
        process = subprocess.Popen(
            [*EDITORBOT, "bot"],
            env=child_env(
                **{
                    "PREFECT_HOME": str(home / "prefect"),
                    "EDITORBOT_BOT_PERSISTENCE": str(home / "persistence.pickle"),
                    "EDITORBOT_TELEGRAM_API_URL": telegram.api_url,
                    "EDITORBOT_TELEGRAM_FILE_URL": telegram.file_url,
                    **runs,
                    **settings,
                }
            ),
            stdout=output,
            stderr=subprocess.STDOUT,
            # Its own group, so a test can kill it with the embedded Prefect server it started.
            start_new_session=True,
        )
    try:
        wait_for_start(process, log, lambda: len(telegram.calls_to("setMyCommands")) > registered)
        yield process
    finally:
        stop(process)
