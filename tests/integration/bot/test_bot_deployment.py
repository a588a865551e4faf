"""The bot submitting to the served deployment: a runner process executes the note's flow."""

import pytest

from bot.app import build_application
from bot.submission import DeploymentSubmission
from harness.runner import served_deployment
from tests.integration.bot.conftest import CREATOR, TOKEN, Creator, RunningBot

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]


@pytest.fixture
def runner(telegram, data_dir, tmp_path):
    """`editorbot serve` sharing the bot's storage, Telegram and Prefect API."""
    with served_deployment(
        tmp_path / "runner-prefect",
        EDITORBOT_STORAGE=f"file://{data_dir}",
        EDITORBOT_TELEGRAM_TOKEN=TOKEN,
        EDITORBOT_TELEGRAM_API_URL=telegram.api_url,
        EDITORBOT_TELEGRAM_FILE_URL=telegram.file_url,
    ):
        yield


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
