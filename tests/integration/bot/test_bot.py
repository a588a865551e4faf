"""The bot as a creator uses it: real Application, fake Bot API, real flow runs and Whisper."""

import json
import logging

import pytest
from prefect import get_client

from bot.app import build_application
from bot.submission import LocalSubmission
from editorbot.schemas import Script
from flows.runs import note_tag, runs_tagged, user_tag
from harness.fakes.telegram import Call
from harness.hostile_notes import HOSTILE_INPUTS, lures_in
from tests.bad_inputs import BAD_INPUTS, MAX_AUDIO_SECONDS
from tests.integration.bot.conftest import (
    COLLEAGUE,
    CREATOR,
    STRANGER,
    TOKEN,
    Creator,
    RunningBot,
)
from tests.opened_files import files_opened_in
from tests.run_logs import assert_one_warning, run_logs

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]


def test_voice_note_is_transcribed_drafted_approved_and_published(creator, telegram, caplog):
    caplog.set_level(logging.INFO)
    creator.send_text("/dialect")
    creator.press(creator.wait_reply("Which Spanish"), "rioplatense")
    creator.telegram.wait_for(lambda c: "dialect is now rioplatense" in c.params.get("text", ""))
    creator.send_voice()
    received = creator.wait_reply("Received", timeout=10)
    draft = creator.wait_draft()

    # One status message, edited as the run moved on, before any download happened.
    status_id = received.result["message_id"]
    edits = [
        c.params["text"]
        for c in creator.sent("editMessageText")
        if c.params["message_id"] == status_id
    ]
    for expected in ("Downloading", "Transcribing", "Adapting", "timed beats", "Draft 1 is ready"):
        assert any(expected in text for text in edits), (expected, edits)
    first_download = next(i for i, c in enumerate(telegram.calls) if c.method == "getFile")
    assert telegram.calls.index(received) < first_download

    assert draft.params["parse_mode"] == "HTML" and "autobús" in draft.params["text"]
    labels = [b["text"] for row in draft.params["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Approve", "Revise", "Reject"]
    # The preview follows the draft's text and buttons, never before them.
    (preview,) = creator.videos(1)
    assert telegram.calls.index(draft) < telegram.calls.index(preview)
    assert (preview.params["width"], preview.params["height"]) == (540, 960)
    assert preview.params["caption"].startswith("Preview of draft 1")
    assert preview.params["video"]["data"][4:8] == b"ftyp"

    creator.press(draft, "Approve")
    documents = creator.documents(3)
    names = sorted(d.params["document"]["filename"] for d in documents)
    assert [n.rsplit(".", 1)[1] for n in names] == ["json", "md", "srt"]
    script_json = next(d for d in documents if d.params["document"]["filename"].endswith(".json"))
    script = Script.model_validate_json(script_json.params["document"]["data"])
    assert script.beats
    assert telegram.calls_to("answerCallbackQuery")
    assert any("Approved by Ana" in c.params["text"] for c in creator.sent("editMessageText"))
    creator.wait_reply("Published.", method="editMessageText")
    # The 9:16 as a video message, the 16:9 beside it; nothing else was asked for.
    _, vertical, wide = creator.videos(3)
    assert (vertical.params["width"], vertical.params["height"]) == (1080, 1920)
    assert (wide.params["width"], wide.params["height"]) == (1920, 1080)
    assert vertical.params["supports_streaming"] in (True, "True", "true")
    assert vertical.params["duration"] == wide.params["duration"] == 10  # the 9.98 s note
    creator.wait_reply("Your videos are below", method="editMessageText")
    assert len(creator.sent("sendVideo")) == 3

    commands = telegram.calls_to("setMyCommands")[0].params["commands"]
    assert {c["command"] for c in commands} >= {
        "start", "help", "dialect", "formats", "status", "cancel"
    }  # fmt: skip
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text


def test_revise_takes_the_next_message_as_notes_and_sends_a_new_draft(creator):
    creator.send_voice()
    first = creator.wait_draft()
    assert "inflación" in first.params["text"]
    creator.press(first, "Revise")
    creator.wait_reply("What should change?")
    creator.send_text("inflación -> subida de precios")
    second = creator.wait_draft(2)
    assert "subida de precios" in second.params["text"]
    creator.wait_reply("new draft is on its way")
    creator.press(first, "Approve")  # a button under the replaced draft: it must not count
    stale = creator.wait_reply("Too late", method="editMessageText")
    assert "waits on another draft" in stale.params["text"]
    creator.press(second, "Approve")
    documents = creator.documents(3)
    script_json = next(d for d in documents if d.params["document"]["filename"].endswith(".json"))
    script = json.loads(script_json.params["document"]["data"])
    assert script["metadata"]["reviewer_notes"] == ["inflación -> subida de precios"]


def test_notes_typed_after_a_restart_of_the_bot_still_revise_the_draft(
    prefect_api, bot_settings, telegram
):
    submission = LocalSubmission()  # the runs live on in this process across the restart
    running = RunningBot(build_application(bot_settings, submission), submission)
    running.start()
    try:
        creator = Creator(telegram, CREATOR)
        creator.send_voice()
        first = creator.wait_draft()
        creator.press(first, "Revise")
        creator.wait_reply("What should change?")
        running.stop()
        running = RunningBot(build_application(bot_settings, submission), submission)
        running.start()
        creator.send_text("inflación -> subida de precios")
        second = creator.wait_draft(2)
        assert "subida de precios" in second.params["text"]
        creator.wait_reply("new draft is on its way")
        received = [c for c in creator.sent("sendMessage") if c.params["text"].startswith("Rec")]
        assert len(received) == 1  # the voice note's: the notes were not taken for a new note
    finally:
        try:
            running.end_waiting_runs()
        finally:
            running.stop()


def test_reject_publishes_nothing_and_a_stale_button_says_so(creator, data_dir):
    creator.send_voice()
    draft = creator.wait_draft()
    creator.press(draft, "Reject")
    creator.wait_reply("Rejected; nothing was published")
    creator.press(draft, "Approve")  # the same button again, after the run ended
    stale = creator.wait_reply("Too late", method="editMessageText")
    assert "Rejected" in stale.params["text"]
    creator.press(draft, "Revise")
    creator.telegram.wait_for(
        lambda c: c.method == "editMessageText" and "the run is Rejected" in c.params["text"]
    )
    assert creator.sent("sendDocument") == []
    assert not (data_dir / "scripts").exists()


def test_a_button_without_a_draft_digest_decides_nothing(creator, running_bot, data_dir):
    creator.send_text("Che, ayer tomé el colectivo y el boleto costaba el doble que el mes pasado.")
    draft = creator.wait_draft()
    (run,) = running_bot.submission.runs.values()
    run.watch()  # until it waits at the gate
    # A button as the bot wrote them before drafts carried their digest.
    old = {
        **draft.params,
        "reply_markup": {
            "inline_keyboard": [[{"text": "Approve", "callback_data": f"approve:{run.id}:0"}]]
        },
    }
    creator.press(Call("sendMessage", old, draft.result), "Approve")
    creator.wait_reply("from before drafts carried their digest", method="editMessageText")
    assert run.is_paused() and not (data_dir / "scripts").exists()


def flow_run_count() -> int:
    with get_client(sync_client=True) as client:
        return client.count_flow_runs()


def _told_private(telegram, user_id: int) -> list:
    return [
        c
        for c in telegram.calls_to("sendMessage")
        if c.params["chat_id"] == user_id and "this bot is private" in c.params["text"]
    ]


def test_a_stranger_is_answered_once_an_hour_and_nothing_runs(stranger, creator, telegram):
    before = flow_run_count()
    stranger.send_voice()
    stranger.send_voice(as_document=True)
    stranger.send_text("Che, una idea para un video sobre el colectivo.")
    stranger.send_text("/status")
    telegram.wait_for(lambda c: c in _told_private(telegram, STRANGER), timeout=60)
    creator.send_text("/help")  # sent after the stranger's four: by its answer, all are taken
    creator.wait_reply("/dialect")
    (refusal,) = _told_private(telegram, STRANGER)  # the first, and nothing for the others
    assert str(STRANGER) in refusal.params["text"]
    assert telegram.calls_to("getFile") == []
    # Zero flow runs, by the Prefect API: none with the stranger's tag, and none at all.
    assert runs_tagged(user_tag(STRANGER)) == []
    assert flow_run_count() == before


def test_a_stranger_flooding_the_bot_holds_no_allowed_user_back(stranger, creator, telegram):
    # Whatever is sent to the stranger takes Telegram 4 s (within the bot's 5 s timeout).
    telegram.slow_chat(STRANGER, 4)
    for number in range(50):
        stranger.send_text(f"hola {number}")
    creator.send_text("/help")
    helped = creator.wait_reply("/dialect", timeout=60)
    (refusal,) = telegram.wait_for(lambda c: c in _told_private(telegram, STRANGER), timeout=60)
    # Updates are handled side by side: the creator was answered while the stranger's one
    # refusal was still on its way, not after it and the 49 messages behind it.
    assert helped.at < refusal.at
    creator.send_text("/help")
    creator.telegram.wait_for(lambda c: c.params.get("chat_id") == CREATOR, count=2)
    assert len(_told_private(telegram, STRANGER)) == 1
    assert [c.params["chat_id"] for c in telegram.calls_to("sendMessage")].count(STRANGER) == 1


def test_only_the_creator_decides_their_draft(creator, colleague, running_bot, telegram):
    creator.send_text("Che, ayer tomé el colectivo y el boleto costaba el doble que el mes pasado.")
    draft = creator.wait_draft()
    (run,) = running_bot.submission.runs.values()
    run.watch()  # until it waits at the gate

    for label in ("Approve", "Reject", "Revise"):
        colleague.press(draft, label)  # the same message, seen in a shared chat
    refusals = telegram.wait_for(
        lambda c: (
            c.method == "answerCallbackQuery" and "Only the person" in c.params.get("text", "")
        ),
        count=3,
    )
    assert len(refusals) == 3
    colleague.send_text(f"/cancel {run.id}")
    colleague.wait_reply("You have no run with that id")
    assert run.is_paused()
    assert not [c for c in telegram.calls_to("editMessageText") if "by Bea" in c.params["text"]]
    assert not [c for c in telegram.calls if "What should change?" in c.params.get("text", "")]

    creator.press(draft, "Approve")
    creator.wait_reply("Approved by Ana", method="editMessageText")
    assert run.result(120).name == "Published"


def test_the_same_note_delivered_twice_runs_once(creator):
    creator.send_voice("same-note-twice")
    creator.wait_draft()
    creator.send_voice("same-note-twice")
    creator.wait_reply("I already have this note", method="editMessageText")
    assert len(runs_tagged(note_tag("same-note-twice"))) == 1


def test_a_note_runs_again_after_a_rejection_and_each_user_has_their_own(creator, colleague):
    creator.send_voice("resent-note")
    creator.press(creator.wait_draft(), "Reject")
    creator.wait_reply("Rejected; nothing was published")
    creator.send_voice("resent-note")  # what the rejection invites: a new run, a new draft
    second = creator.wait_draft(2)
    colleague.send_voice("resent-note")  # the same file, forwarded: a run of the colleague's
    colleague.wait_draft()
    creator.press(second, "Approve")
    creator.documents(3)
    # The script is out while its videos may still render: the run is still going, and the
    # creator hears it is published all the same.
    creator.send_voice("resent-note")  # published: this one stands
    creator.wait_reply("I already published this note", method="editMessageText")
    edits = creator.sent("editMessageText") + colleague.sent("editMessageText")
    assert not [c for c in edits if "I already have" in c.params["text"]]
    assert len(runs_tagged(note_tag("resent-note"), user_tag(CREATOR))) == 2
    assert len(runs_tagged(note_tag("resent-note"), user_tag(COLLEAGUE))) == 1


def test_oversized_and_overlong_notes_are_refused_before_download(creator, telegram):
    creator.send_voice(file_size=25 * 1024 * 1024)
    creator.wait_reply("up to 20 MB")
    creator.send_voice(duration=3600)
    creator.wait_reply("60.0 minutes long")
    assert telegram.calls_to("getFile") == []
    assert all("Received" not in c.params["text"] for c in creator.sent("sendMessage"))


def test_a_typed_idea_goes_straight_to_a_draft(creator, telegram):
    creator.send_text("/dialect")
    creator.press(creator.wait_reply("Which Spanish"), "rioplatense")
    creator.telegram.wait_for(lambda c: "dialect is now rioplatense" in c.params.get("text", ""))
    creator.send_text(
        "Che, la inflación está terrible. Ayer tomé el colectivo y el boleto costaba el doble."
    )
    draft = creator.wait_draft()
    assert "autobús" in draft.params["text"]
    assert telegram.calls_to("getFile") == []
    creator.press(draft, "Approve")
    names = sorted(d.params["document"]["filename"] for d in creator.documents(2))
    assert [n.rsplit(".", 1)[1] for n in names] == ["json", "md"]


def test_anything_else_gets_the_help_text(creator):
    creator.telegram.push(
        {"message": creator._message(location={"latitude": 1.0, "longitude": 2.0})}
    )
    creator.wait_reply("I can only work with voice notes")


def _refused_in_chat(creator, running_bot, data_dir, note: bytes, reason: str, **sent) -> None:
    """Send a note that must be refused; check the chat, the storage and the run's log."""
    creator.send_voice(data=note, **sent)
    failure = creator.wait_reply("could not be turned into a script", timeout=180)
    assert reason in failure.params["text"]
    said = [c.params["text"] for c in creator.sent("sendMessage")]
    assert not [text for text in said if "Traceback" in text or "on our side" in text], said
    assert not [c for c in creator.sent("sendMessage") if "reply_markup" in c.params]  # no draft
    assert creator.sent("sendDocument") == []
    assert not (data_dir / "drafts").exists() and not (data_dir / "scripts").exists()
    (raw,) = [path for path in (data_dir / "audio" / "raw").rglob("*") if path.is_file()]
    assert raw.read_bytes() == note
    (run,) = running_bot.submission.runs.values()
    sentence = failure.params["text"].split("could not be turned into a script: ")[-1]
    assert_one_warning(run_logs(run.id), sentence)


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=str)
def test_a_bad_note_gets_its_reason_in_the_chat_and_nothing_is_published(
    creator, running_bot, bad_inputs, data_dir, monkeypatch, bad
):
    monkeypatch.setenv("EDITORBOT_MAX_AUDIO_SECONDS", str(MAX_AUDIO_SECONDS))
    note = bad_inputs[bad.name].read_bytes()
    # A document declares no duration, so only the run itself can find the tone too long.
    as_document = bad.name == "overlong-tone"
    _refused_in_chat(creator, running_bot, data_dir, note, bad.reason, as_document=as_document)


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS, ids=str)
def test_a_hostile_note_gets_a_sentence_and_nothing_it_names_is_opened(
    creator, running_bot, hostile_inputs, data_dir, monkeypatch, caplog, hostile
):
    monkeypatch.setenv("EDITORBOT_MAX_AUDIO_SECONDS", str(MAX_AUDIO_SECONDS))
    note = hostile_inputs[hostile.name].read_bytes()
    with files_opened_in(lures_in(hostile_inputs)) as opened:
        _refused_in_chat(creator, running_bot, data_dir, note, hostile.reason)
        assert opened() == set()
    # The bot's own process log (its flow runs log there too): no error, no traceback.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_an_unanswered_draft_expires_and_the_user_is_told(creator, running_bot, monkeypatch):
    monkeypatch.setenv("EDITORBOT_APPROVAL_TIMEOUT_S", "2")
    creator.send_text("Che, ayer tomé el colectivo y el boleto costaba el doble que el mes pasado.")
    creator.wait_draft()
    creator.wait_reply("Nobody decided in time")
    (run,) = running_bot.submission.runs.values()
    assert run.result(60).is_failed()  # and its failure hooks have run
    assert not [c for c in creator.sent("sendMessage") if "on our side" in c.params["text"]]


def test_status_lists_runs_and_cancel_rejects_the_waiting_one(creator, running_bot):
    creator.send_text("Che, ayer tomé el colectivo y el boleto costaba el doble que el mes pasado.")
    creator.wait_draft()
    (run,) = running_bot.submission.runs.values()
    run.watch()  # until it waits at the gate
    creator.send_text("/status")
    status = creator.wait_reply("Your recent runs")
    assert f"/cancel {run.id}" in status.params["text"]
    creator.send_text("/cancel")
    creator.wait_reply("Cancelled run")
    creator.wait_reply("Rejected; nothing was published. Reason: cancelled by the creator")


def test_a_failing_update_is_answered_and_the_bot_keeps_going(creator, caplog):
    broken = creator.telegram.push(
        {
            "callback_query": {
                "id": "broken",
                "from": creator.user,
                "chat_instance": "1",
                "data": "approve:not-a-run-id",
                "message": creator._message(text="an old draft"),
            }
        }
    )
    creator.wait_reply("Something went wrong on my side")
    assert "ValueError" in caplog.text and broken
    creator.send_text("/help")
    creator.wait_reply("/dialect")


def test_audio_sent_as_a_file_is_a_note_too(creator, telegram):
    creator.send_voice(as_document=True)
    draft = creator.wait_draft()
    assert "inflación" in draft.params["text"]
    assert len(telegram.calls_to("getFile")) == 1


def test_a_video_note_is_a_note_too(creator, telegram, spanish_as):
    video = spanish_as("mp4")
    creator.send_attachment(
        "video_note", video, "video_notes/{file_id}.mp4", length=240, duration=9
    )
    draft = creator.wait_draft()
    assert "inflación" in draft.params["text"]
    assert [c.params["path"] for c in telegram.calls_to("file")] == [
        next(iter(telegram.files.values())).path
    ]


def test_an_audio_message_is_a_note_too(creator, telegram, spanish_as):
    mp3 = spanish_as("mp3")
    creator.send_attachment(
        "audio", mp3, "music/{file_id}.mp3", duration=9, mime_type="audio/mpeg", title="idea"
    )
    draft = creator.wait_draft()
    assert "inflación" in draft.params["text"]
    assert len(telegram.calls_to("getFile")) == 1


def test_with_nobody_allowed_everyone_is_refused_and_nothing_runs(
    prefect_api, bot_settings, telegram
):
    nobody = bot_settings.model_copy(update={"allowed_users": frozenset()})
    submission = LocalSubmission()
    running = RunningBot(build_application(nobody, submission), submission)
    running.start()
    try:
        creator = Creator(telegram, CREATOR)  # allowed in every other test
        runs_before = flow_run_count()
        creator.send_voice()
        creator.wait_reply("this bot is private")
        creator.send_text("Che, el colectivo está carísimo.")
        creator.send_text("/help")
        telegram.wait_taken()
        # Answered once (within the hour), with the id to give the owner; the rest unanswered.
        (reply,) = _told_private(telegram, CREATOR)
        assert str(CREATOR) in reply.params["text"]
        assert telegram.calls_to("getFile") == [] and submission.runs == {}
        assert flow_run_count() == runs_before
    finally:
        running.stop()


def test_an_edited_message_is_not_a_new_note(creator, telegram):
    message = creator._message(text="Che, el colectivo está carísimo.")
    telegram.push({"edited_message": {**message, "edit_date": message["date"] + 5}})
    creator.send_text("/help")
    creator.wait_reply("/dialect")
    assert not [c for c in creator.sent("sendMessage") if "Received" in c.params["text"]]


def waited_out(telegram, method: str, retry_after: float) -> None:
    """`method` was refused once for flood control, then retried only after the wait."""
    (refused,) = telegram.refusals(method)  # an early retry would have been refused again
    retried = next(c for c in telegram.calls_to(method) if c.at > refused.at)
    assert retried.at - refused.at >= retry_after
    assert not retried.refused


def test_flood_control_on_the_runs_messages_is_waited_out(creator, telegram):
    # The bot's first call is its "Received" reply; every edit after it is the run's status.
    telegram.fail_next("editMessageText", retry_after=2)
    creator.send_text("Che, ayer tomé el colectivo y el boleto costaba el doble que el mes pasado.")
    creator.wait_reply("Received")
    telegram.fail_next("sendMessage", retry_after=2)  # the next message is the run's draft
    draft = creator.wait_draft()
    waited_out(telegram, "editMessageText", 2)
    waited_out(telegram, "sendMessage", 2)
    assert telegram.refusals("sendMessage")[0].params["text"] == draft.params["text"]

    telegram.fail_next("sendDocument", retry_after=2)
    creator.press(draft, "Approve")
    creator.wait_reply("Published.", method="editMessageText")
    names = [d.params["document"]["filename"] for d in creator.documents(2)]
    waited_out(telegram, "sendDocument", 2)
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["json", "md"]  # each sent once
    assert len(creator.sent("sendDocument")) == 2


def test_flood_control_on_a_reply_is_waited_out_and_the_note_runs_once(creator, telegram):
    telegram.fail_next("sendMessage", retry_after=2)  # hits the "Received" reply
    note = creator.send_text("Che, el colectivo está carísimo y el boleto costaba el doble.")
    creator.wait_draft()
    waited_out(telegram, "sendMessage", 2)
    assert telegram.refusals("sendMessage")[0].params["text"].startswith("Received")
    assert len(runs_tagged(note_tag(f"text-{note['chat']['id']}-{note['message_id']}"))) == 1


def test_flood_control_that_outlasts_the_retries_reaches_the_error_handler(creator, caplog):
    creator.telegram.fail_next("sendMessage", times=4, retry_after=1)  # one more than retried
    creator.send_text("/help")
    creator.wait_reply("Something went wrong on my side")
    assert "RetryAfter" in caplog.text
    creator.send_text("/help")
    creator.wait_reply("/dialect")


def test_formats_asked_for_come_too_and_a_video_over_the_upload_limit_comes_as_a_link(
    creator, telegram, data_dir, monkeypatch
):
    # A limit this low turns every video into a link; Telegram's own is 50 MB (the fake
    # refuses past it, tests/integration/bot/test_fake_telegram.py).
    monkeypatch.setenv("EDITORBOT_TELEGRAM_UPLOAD_LIMIT_MB", "0.01")
    creator.send_text("/formats")
    creator.press(creator.wait_reply("Which videos"), "+ 1:1")
    creator.wait_reply("Your videos are now 9:16, 16:9, 1:1", method="editMessageText")
    creator.send_text("Che, el colectivo está carísimo y nadie dice nada.")  # typed: no audio
    creator.press(creator.wait_draft(), "Approve")

    links = telegram.wait_for(
        lambda c: c.method == "sendMessage" and "here is a link instead" in c.params["text"],
        timeout=180,
        count=4,  # the preview (rendered beside the gate: it may come later), 9:16, 16:9, 1:1
    )
    assert creator.sent("sendVideo") == []
    texts = [c.params["text"] for c in links]
    previews = [t for t in texts if t.startswith("Preview of draft 1")]
    texts = [t for t in texts if t not in previews]
    assert len(previews) == 1
    for text, caption in zip(
        texts,
        ("9:16 for Shorts, Reels and TikTok", "16:9 for YouTube", "1:1 for square feeds"),
        strict=True,
    ):
        assert text.startswith(f"{caption}: the video is "), text
    # Local storage: the link is where the file is.
    path = texts[2].rsplit(" ", 1)[1]
    assert path.startswith(str(data_dir)) and path.endswith("/1x1.mp4")
    assert "over the 0.01 MB Telegram lets a bot send" in texts[2]


def test_preferences_typed_after_the_command_are_kept_and_a_wrong_one_is_told(creator, data_dir):
    # `/template provocation` used to show the buttons again and keep opinion, saying nothing.
    creator.send_text("/dialect Rioplatense")
    creator.wait_reply("Your dialect is now rioplatense; it applies to your next notes.")
    creator.send_text("/template provocation")
    creator.wait_reply("Your template is now provocation; it applies to your next notes.")
    creator.send_text("/formats 4:5")
    creator.wait_reply("Your videos are now 9:16, 16:9, 4:5; they apply to your next notes.")
    creator.send_text("/template sonnet")
    refused = creator.wait_reply("There is no template called «sonnet».")
    labels = [b["text"] for row in refused.params["reply_markup"]["inline_keyboard"] for b in row]
    assert "✓ provocation" in labels
    creator.send_text("/formats 3:2")
    creator.wait_reply("There are no «3:2» videos; 1:1 and 4:5 can be added.")

    creator.send_text("Che, el colectivo está carísimo y nadie dice nada. ¿Hasta cuándo?")
    draft = creator.wait_draft()
    assert "Provocation script" in draft.params["text"]
    assert "Dialect: rioplatense" in draft.params["text"]
    creator.press(draft, "Reject")
