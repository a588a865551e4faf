"""Whole-stack fixtures: a Prefect server process with basic auth, a runner and the bot."""

from collections.abc import Iterator

import pytest

from tests.fakes.telegram import FakeTelegram
from tests.integration.bot.conftest import CREATOR, TOKEN
from tests.runner import served_deployment
from tests.stack import PrefectServer, bot_process, prefect_server


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram(TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def server(tmp_path) -> Iterator[PrefectServer]:
    """A server on SQLite; this test's Prefect client talks to it with the auth string."""
    with prefect_server(tmp_path / "server") as running, running.as_client():
        yield running


@pytest.fixture
def stack_settings(tmp_path, telegram) -> dict[str, str]:
    """What the runner and the bot share: storage and the (fake) Telegram."""
    return {
        "EDITORBOT_STORAGE": f"file://{tmp_path / 'data'}",
        "EDITORBOT_TELEGRAM_TOKEN": TOKEN,
        "EDITORBOT_TELEGRAM_API_URL": telegram.api_url,
        "EDITORBOT_TELEGRAM_FILE_URL": telegram.file_url,
    }


@pytest.fixture
def runner(server, stack_settings, tmp_path):
    with served_deployment(tmp_path / "runner", **stack_settings) as process:
        yield process


@pytest.fixture
def bot(server, stack_settings, telegram, tmp_path):
    with bot_process(
        tmp_path / "bot", server, telegram, EDITORBOT_ALLOWED_USERS=str(CREATOR), **stack_settings
    ) as process:
        yield process
