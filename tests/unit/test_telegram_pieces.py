"""Pure pieces behind the Telegram front door: message splitting, retry rules, settings."""

import asyncio
import re
from datetime import timedelta
from uuid import UUID

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from editorbot.schemas import typed_text
from editorbot.settings import get_settings
from editorbot.telegram_api import (
    CALLBACK_DATA_LIMIT,
    DecisionButton,
    FloodControl,
    flood_wait_s,
    telegram_file_id,
)
from harness.fake_secrets import TELEGRAM_TOKEN
from tasks.notify import DRAFT_LIMIT, draft_messages
from tasks.transient import is_transient


def test_a_long_draft_is_split_between_lines_under_the_limit():
    beats = [f"## b{i:02d} · argument · {i}–{i + 1} s\n\n" + "palabra " * 120 for i in range(40)]
    markdown = "# Opinion script · 40 s\n\n" + "\n\n".join(beats)
    chunks = draft_messages(markdown)
    assert len(chunks) > 1
    assert all(len(chunk) <= DRAFT_LIMIT for chunk in chunks)
    assert chunks[0].startswith("<b>Opinion script · 40 s</b>")
    assert sum(chunk.count("<b>b") for chunk in chunks) == 40  # no heading cut in half


def test_a_single_huge_paragraph_is_wrapped_not_dropped():
    chunks = draft_messages("x" * 10_000)
    assert all(len(chunk) <= DRAFT_LIMIT for chunk in chunks)
    assert "".join(chunks).replace("\n", "") == "x" * 10_000


def test_draft_text_is_escaped_for_html():
    (chunk,) = draft_messages("# A <b> & C\n\nel 5 < 6 & _ok_\n\n_pace fast_")
    assert chunk == "<b>A &lt;b&gt; &amp; C</b>\n\nel 5 &lt; 6 &amp; _ok_\n\n<i>pace fast</i>"


RUN_ID = UUID("1f72618e-4ba8-4c1e-a35e-cdcb601ce596")


def test_a_decision_button_fits_telegrams_64_bytes_and_reads_back_as_written():
    button = DecisionButton("reject", RUN_ID, 999_999)
    assert CALLBACK_DATA_LIMIT == 64 and len(button.data.encode()) <= CALLBACK_DATA_LIMIT
    assert DecisionButton.parse(button.data) == button


def test_a_button_too_long_for_telegram_is_refused_when_written():
    with pytest.raises(ValueError, match="64 bytes"):
        DecisionButton("approve", RUN_ID, 10**30).data  # noqa: B018


def test_a_button_sent_before_revisions_were_carried_reads_without_one():
    assert DecisionButton.parse(f"revise:{RUN_ID}") == DecisionButton("revise", RUN_ID, None)


def test_button_patterns_route_only_their_decisions():
    approve_or_reject = re.compile(DecisionButton.pattern("approve", "reject"))
    assert approve_or_reject.match(DecisionButton("reject", RUN_ID, 0).data)
    assert not approve_or_reject.match(DecisionButton("revise", RUN_ID, 0).data)
    assert not approve_or_reject.match("dialect:rioplatense")
    with pytest.raises(ValueError):
        DecisionButton.parse("dialect:rioplatense")


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (NetworkError("connection reset"), True),
        (TimedOut(), True),
        (RetryAfter(3), True),
        (BadRequest("Wrong file_id specified"), False),
        (Forbidden("bot was blocked by the user"), False),
    ],
)
def test_only_telegrams_network_troubles_are_retried(error, transient):
    assert is_transient(error) is transient


def test_sources_say_where_the_note_is():
    assert telegram_file_id("telegram:AwACAgQ") == "AwACAgQ"
    assert telegram_file_id("/tmp/note.ogg") is None
    assert typed_text("text:hola che") == "hola che"
    assert typed_text("telegram:AwACAgQ") is None


def test_allowed_users_are_comma_separated(monkeypatch):
    monkeypatch.setenv("EDITORBOT_ALLOWED_USERS", " 12, 34 ,")
    assert get_settings().allowed_users == {12, 34}
    monkeypatch.setenv("EDITORBOT_ALLOWED_USERS", "")
    assert get_settings().allowed_users == frozenset()


def test_the_token_is_never_shown(monkeypatch):
    monkeypatch.setenv("EDITORBOT_TELEGRAM_TOKEN", TELEGRAM_TOKEN)
    settings = get_settings()
    assert "TEST-TOKEN" not in repr(settings) and "TEST-TOKEN" not in str(settings)


def _flooded_calls(limiter: FloodControl, waits: list) -> tuple[int, BaseException | None]:
    """Send one request through `limiter` to a server that floods it `waits` times."""
    calls = 0

    async def request() -> bool:
        nonlocal calls
        calls += 1
        if calls <= len(waits):
            raise RetryAfter(waits[calls - 1])
        return True

    async def send() -> None:
        await limiter.process_request(request, (), {}, "sendMessage", {}, None)

    try:
        asyncio.run(send())
    except RetryAfter as error:
        return calls, error
    return calls, None


def test_flood_waits_are_sat_out_a_bounded_number_of_times():
    short = timedelta(milliseconds=10)
    assert _flooded_calls(FloodControl(max_retries=2), [short, short]) == (3, None)
    calls, error = _flooded_calls(FloodControl(max_retries=2), [short] * 3)
    assert calls == 3 and isinstance(error, RetryAfter)


def test_a_flood_wait_longer_than_the_bound_is_not_sat_out():
    calls, error = _flooded_calls(FloodControl(max_wait_s=30), [31])
    assert calls == 1 and flood_wait_s(error) == 31
