"""`editorbot bot` as an operator runs it: a real process polling the fake Bot API."""

import os
import signal
import subprocess

import pytest

from harness.fakes.telegram import FakeTelegram
from harness.runner import kill_group
from harness.stack import EDITORBOT, bot_process, child_env
from tests.conftest import DATA
from tests.integration.bot.conftest import CREATOR, TOKEN, Creator

pytestmark = pytest.mark.slow
LONG_NOTE = (DATA / "speech_60s.ogg").read_bytes()
"""Long enough for the bot to be killed while Whisper is at work on it."""


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


def test_a_token_telegram_refuses_at_start_up_is_one_sentence_without_the_token(tmp_path):
    with FakeTelegram("654321:another-bots-token") as telegram:
        started = subprocess.run(
            [*EDITORBOT, "--data-dir", str(tmp_path), "bot"],
            env=child_env(
                EDITORBOT_TELEGRAM_TOKEN=TOKEN,
                EDITORBOT_TELEGRAM_API_URL=telegram.api_url,
                EDITORBOT_TELEGRAM_FILE_URL=telegram.file_url,
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert started.returncode == 2, started.stderr
    said = [line for line in started.stderr.splitlines() if line.startswith("editorbot:")]
    assert len(said) == 1 and said[0].startswith("editorbot: Telegram refused"), started.stderr
    assert TOKEN not in started.stderr + started.stdout
    assert TOKEN.split(":")[1] not in started.stderr + started.stdout


def test_a_note_the_bot_was_running_when_it_died_is_finished_when_it_comes_back(tmp_path):
    home, data = tmp_path / "bot", tmp_path / "data"
    settings = {
        "EDITORBOT_TELEGRAM_TOKEN": TOKEN,
        "EDITORBOT_ALLOWED_USERS": str(CREATOR),
        "EDITORBOT_STORAGE": f"file://{data}",
    }
    with FakeTelegram(TOKEN) as telegram:
        creator = Creator(telegram, CREATOR)
        with bot_process(home, None, telegram, **settings) as bot:
            creator.send_voice(data=LONG_NOTE)
            creator.wait_reply("Transcribing", method="editMessageText", timeout=240)
            kill_group(bot)  # with the embedded Prefect server it started
        assert creator.sent("sendMessage")[-1].params["text"].startswith("Received")

        with bot_process(home, None, telegram, **settings):
            draft = creator.wait_draft(timeout=300)  # nobody sent the note again
            creator.press(draft, "Approve")
            names = [d.params["document"]["filename"] for d in creator.documents(3, timeout=120)]
    assert sorted(name.rsplit(".", 1)[1] for name in names) == ["json", "md", "srt"]
    assert len(list((data / "scripts").rglob("*.json"))) == 1
