"""A long note's status message in the chat shows how far its transcription got, on the stack."""

import re

import pytest

from tasks.notify import STEP_TEXT
from tests.conftest import DATA, ffmpeg

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("runner", "bot")]
LOOPS = 12
"""The 9 s Spanish clip this many times in a row: a 1.8-minute note. Whisper hears the same
words over and over and decodes most windows again at higher temperatures, so it takes about
three quarters of real time (a 4.5-minute loop: 221 s bare here, 278 s as this test): long enough
for several progress edits at one per 5 s without holding CI for minutes."""


@pytest.fixture(scope="module")
def long_note(tmp_path_factory) -> bytes:
    note = tmp_path_factory.mktemp("long-note") / "long.ogg"
    source = DATA / "es_rioplatense_synth.ogg"
    ffmpeg("-stream_loop", LOOPS - 1, "-i", source, "-c:a", "libopus", note)
    return note.read_bytes()


def test_a_long_note_shows_its_transcription_progress_in_the_chat(creator, telegram, long_note):
    creator.send_voice(unique_id="long-note", data=long_note, duration=9 * LOOPS)
    creator.wait_draft(timeout=900)
    chat_id = creator.user["id"]
    shown = [
        call.params["text"]
        for call in telegram.calls_to("editMessageText")
        if int(call.params["chat_id"]) == chat_id
    ]
    progress = [
        text for text in shown if text.startswith(STEP_TEXT["transcribing"]) and "%" in text
    ]
    percents = [int(re.search(r"(\d+) %", text).group(1)) for text in progress]
    assert len(percents) >= 2, shown
    assert percents == sorted(percents) and percents[-1] <= 100, shown
    assert re.search(r"\(\d+:\d\d of 1:\d\d\)$", progress[-1]), progress  # minutes done of 1.8
    # Shown while transcribing: after the step began, before the next one.
    assert shown.index(STEP_TEXT["transcribing"]) < shown.index(progress[0])
    assert shown.index(progress[-1]) < shown.index(STEP_TEXT["mediating"])
