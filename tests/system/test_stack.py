"""A note from Telegram to a published script through the whole stack, each part a process."""

import pytest

from tests.integration.bot.conftest import CREATOR, Creator

pytestmark = pytest.mark.slow


def test_a_note_is_published_after_the_creator_approves_it_in_the_chat(
    telegram, server, runner, bot, tmp_path
):
    creator = Creator(telegram, CREATOR)
    creator.send_voice(unique_id="stack-note")
    draft = creator.wait_draft(timeout=300)
    creator.press(draft, "Approve")
    files = creator.documents(3, timeout=300)
    assert sorted(d.params["document"]["filename"].rsplit(".", 1)[1] for d in files) == [
        "json",
        "md",
        "srt",
    ]
    assert len(list((tmp_path / "data" / "scripts").rglob("*.json"))) == 1
