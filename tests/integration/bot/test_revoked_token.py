"""A token revoked mid-run stays out of every state, result and log the run leaves behind."""

import sqlite3
import time
from pathlib import Path

import pytest

from harness.fakes.telegram import FakeTelegram
from harness.stack import bot_process
from tests.integration.bot.conftest import CREATOR, TOKEN, Creator
from tests.secret_scan import secrets_in_files

pytestmark = pytest.mark.slow


def _ended_runs(database: Path) -> list[tuple[str, str]]:
    """(state name, state message) of each run in the embedded Prefect's database that ended."""
    if not database.exists():
        return []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        try:
            return db.execute(
                "SELECT state.name, state.message FROM flow_run "
                "JOIN flow_run_state AS state ON state.id = flow_run.state_id "
                "WHERE state.type IN ('COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED')"
            ).fetchall()
        except sqlite3.OperationalError:  # the embedded server is still creating its tables
            return []


def test_a_revoked_token_is_in_no_state_result_or_log(tmp_path):
    home, data = tmp_path / "bot", tmp_path / "data"
    database = home / "prefect" / "prefect.db"
    with FakeTelegram(TOKEN) as telegram:
        # The bot starts up and says "Received"; then BotFather revokes the token, and every
        # call of the run (each task opens its own bot, which asks getMe first) meets 401.
        telegram.revoke_after(lambda call: call.method == "sendMessage")
        with bot_process(
            home,
            None,
            telegram,
            EDITORBOT_TELEGRAM_TOKEN=TOKEN,
            EDITORBOT_ALLOWED_USERS=str(CREATOR),
            EDITORBOT_STORAGE=f"file://{data}",
        ):
            Creator(telegram, CREATOR).send_voice()
            deadline = time.monotonic() + 300
            while not _ended_runs(database):
                assert time.monotonic() < deadline, "the run never ended"
                time.sleep(1)
        assert len([c for c in telegram.calls_to("getMe") if c.refused]) >= 2

    ((state, message),) = _ended_runs(database)
    # The run failed on the refused token, and says so without it.
    assert state == "Failed" and "Telegram refused the bot token" in message, message
    assert secrets_in_files(home, data) == []
