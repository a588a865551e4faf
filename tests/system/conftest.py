"""Whole-stack fixtures: a Prefect server process with basic auth, a runner and the bot.

One stack per test module: starting it takes a while, and each test keeps to its own
Telegram user and note, so the tests of a module stay independent of each other.
"""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.client.schemas.objects import FlowRun

from flows.runs import runs_tagged, user_tag
from harness.fakes.telegram import FakeTelegram
from harness.runner import served_deployment
from harness.stack import EDITORBOT, PrefectServer, bot_process, child_env, prefect_server
from tests.integration.bot.conftest import CREATOR, TOKEN, Creator

USERS = tuple(range(CREATOR, CREATOR + 8))
"""Telegram users the stack's bot serves; each test talks as one of its own."""
_next_user = iter(USERS)


@pytest.fixture(scope="module")
def stack_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("stack")


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram(TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def server(stack_dir) -> Iterator[PrefectServer]:
    """A server on SQLite; this test's Prefect client talks to it with the auth string."""
    with prefect_server(stack_dir / "server") as running, running.as_client():
        yield running


@pytest.fixture(scope="module")
def stack_data(stack_dir) -> Path:
    """Where the runner stores and publishes (EDITORBOT_STORAGE)."""
    return stack_dir / "data"


@pytest.fixture(scope="module")
def stack_settings(stack_data, telegram) -> dict[str, str]:
    """What the runner and the bot share: storage and the (fake) Telegram."""
    return {
        "EDITORBOT_STORAGE": f"file://{stack_data}",
        "EDITORBOT_TELEGRAM_TOKEN": TOKEN,
        "EDITORBOT_TELEGRAM_API_URL": telegram.api_url,
        "EDITORBOT_TELEGRAM_FILE_URL": telegram.file_url,
    }


@pytest.fixture(scope="module")
def runner(server, stack_settings, stack_dir):
    with served_deployment(stack_dir / "runner", **stack_settings) as process:
        yield process


@pytest.fixture(scope="module")
def bot(server, stack_settings, telegram, stack_dir):
    allowed = ",".join(map(str, USERS))
    with bot_process(
        stack_dir / "bot", server, telegram, EDITORBOT_ALLOWED_USERS=allowed, **stack_settings
    ) as process:
        yield process


@pytest.fixture
def creator(telegram) -> Creator:
    """A Telegram user of its own for this test."""
    return Creator(telegram, next(_next_user))


def editorbot(server: PrefectServer, home: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the `editorbot` command as an operator on the server's machine would."""
    return subprocess.run(
        [*EDITORBOT, *args],
        env=child_env(PREFECT_HOME=str(home), **server.client_env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def latest_run(user_id: int) -> FlowRun:
    """The newest run the bot queued for this Telegram user (tagged `user:<id>`)."""
    runs = runs_tagged(user_tag(user_id))
    assert len(runs) == 1, [r.name for r in runs]
    return runs[0]


def file_names(documents) -> list[str]:
    return sorted(d.params["document"]["filename"] for d in documents)
