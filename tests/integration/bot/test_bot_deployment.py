"""The bot submitting to the served deployment: a runner process executes the note's flow."""

import os
import subprocess
import sys
import time

import pytest
from prefect import get_client
from prefect.settings import PREFECT_API_URL

from bot.app import build_application
from bot.submission import DeploymentSubmission
from flows.serve import DEPLOYMENT
from tests.integration.bot.conftest import CREATOR, TOKEN, Creator, RunningBot

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]


@pytest.fixture
def runner(telegram, data_dir, tmp_path):
    """`editorbot serve` in its own process, sharing storage, Telegram and the Prefect API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "EDITORBOT_"))}
    env.update(
        PREFECT_API_URL=PREFECT_API_URL.value(),
        PREFECT_HOME=str(tmp_path / "runner-prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        EDITORBOT_STORAGE=f"file://{data_dir}",
        EDITORBOT_TELEGRAM_TOKEN=TOKEN,
        EDITORBOT_TELEGRAM_API_URL=telegram.api_url,
        EDITORBOT_TELEGRAM_FILE_URL=telegram.file_url,
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
                except Exception:
                    assert time.monotonic() < deadline and process.poll() is None
                    time.sleep(0.5)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_note_runs_on_the_deployment_and_is_approved_from_the_chat(
    telegram, bot_settings, runner, data_dir
):
    submission = DeploymentSubmission()
    bot = RunningBot(build_application(bot_settings, submission), submission)
    bot.start()
    try:
        creator = Creator(telegram, CREATOR)
        creator.send_voice(unique_id="served-note")
        draft = creator.wait_draft(timeout=240)
        creator.press(draft, "Approve")
        files = creator.documents(3, timeout=240)
    finally:
        bot.stop()
    names = sorted(d.params["document"]["filename"] for d in files)
    assert [n.rsplit(".", 1)[1] for n in names] == ["json", "md", "srt"]
    assert len(list((data_dir / "scripts").rglob("*.json"))) == 1
    # Resuming replayed the flow from the top; the creator still got one draft, not two.
    drafts = [
        c for c in creator.sent("sendMessage") if "approve:" in str(c.params.get("reply_markup"))
    ]
    assert len(drafts) == 1
    assert len(creator.documents(3)) == 3  # and the files once
