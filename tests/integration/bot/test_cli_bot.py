"""`editorbot bot` as an operator runs it: a real process polling the fake Bot API."""

import os
import signal
import subprocess

import pytest

from harness.fakes.telegram import FakeTelegram
from harness.stack import EDITORBOT
from tests.integration.bot.conftest import CREATOR, TOKEN, Creator

pytestmark = pytest.mark.slow


def test_editorbot_bot_answers_and_never_logs_its_token(tmp_path):
    telegram = FakeTelegram(TOKEN).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "EDITORBOT_"))}
    env.update(
        EDITORBOT_TELEGRAM_TOKEN=TOKEN,
        EDITORBOT_TELEGRAM_API_URL=telegram.api_url,
        EDITORBOT_TELEGRAM_FILE_URL=telegram.file_url,
        EDITORBOT_ALLOWED_USERS=str(CREATOR),
    )
    process = subprocess.Popen(
        [*EDITORBOT, "--data-dir", str(tmp_path), "bot"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        creator = Creator(telegram, CREATOR)
        telegram.wait_for(lambda c: c.method == "setMyCommands", timeout=60)
        creator.send_text("/help")
        creator.wait_reply("/dialect", timeout=30)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
        telegram.stop()
    assert process.returncode == 0, output
    assert "Application started" in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
