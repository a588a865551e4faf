"""The fake Bot API refuses uploads over Telegram's bot limit as Telegram does, and the
adapter does not retry that refusal as if it were the network's."""

import pytest
from telegram.error import NetworkError

from editorbot import telegram_api
from harness.fakes.telegram import UPLOAD_LIMIT, FakeTelegram
from tests.integration.bot.conftest import TOKEN


@pytest.fixture
def telegram(monkeypatch):
    fake = FakeTelegram(TOKEN).start()
    monkeypatch.setenv("EDITORBOT_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("EDITORBOT_TELEGRAM_API_URL", fake.api_url)
    monkeypatch.setenv("EDITORBOT_TELEGRAM_FILE_URL", fake.file_url)
    yield fake
    fake.stop()


def test_a_video_over_50_mb_is_refused_with_413_and_not_retried(telegram):
    too_big = b"\0" * (UPLOAD_LIMIT + 1)

    with pytest.raises(NetworkError, match="Request Entity Too Large") as refused:
        telegram_api.send_video(1, "big.mp4", too_big, 1080, 1920, 60.0)

    assert UPLOAD_LIMIT == 50 * 1024 * 1024
    assert not telegram_api.is_transient(refused.value)
    assert [c.refused for c in telegram.calls_to("sendVideo")] == [True]


def test_a_video_under_the_limit_arrives_as_a_video_message(telegram):
    telegram_api.send_video(7, "clip.mp4", b"\0\0\0\x18ftypisom", 540, 960, 9.4, caption="Hola")
    (sent,) = telegram.calls_to("sendVideo")

    assert sent.params["video"]["filename"] == "clip.mp4"
    assert (sent.params["width"], sent.params["height"], sent.params["duration"]) == (540, 960, 9)
    assert sent.result["video"]["file_size"] == 12 and sent.result["caption"] == "Hola"
