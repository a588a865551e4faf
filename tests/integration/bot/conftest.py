"""The bot against a fake Bot API on loopback, a real Prefect API and real flow runs."""

import asyncio
import contextlib
import itertools
import os
import shutil
import stat
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from telegram import Update

from bot.app import build_application
from bot.submission import LocalSubmission
from editorbot.settings import get_settings
from flows.approval import NotWaiting
from harness.fake_secrets import TELEGRAM_TOKEN
from harness.fakes.telegram import Call, FakeTelegram
from harness.stack import child_env
from tests.conftest import DATA, ffmpeg

TOKEN = TELEGRAM_TOKEN
CREATOR = 4242
COLLEAGUE = 31337
"""Also on the allowlist, but never the one who sent the note."""
STRANGER = 6666
SPANISH = (DATA / "es_rioplatense_synth.ogg").read_bytes()
_CALLBACK_IDS = itertools.count(1)


class Creator:
    """A Telegram user talking to the bot: sends messages, presses buttons, reads replies."""

    def __init__(self, telegram: FakeTelegram, user_id: int, first_name: str = "Ana") -> None:
        self.telegram = telegram
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name}

    def _message(self, **content) -> dict:
        return {
            "message_id": self.telegram.next_message_id(),
            "date": int(time.time()),
            "chat": {"id": self.user["id"], "type": "private", "first_name": "Ana"},
            "from": self.user,
            **content,
        }

    def send_voice(
        self,
        unique_id: str | None = None,
        data: bytes = SPANISH,
        duration: int = 9,
        file_size: int | None = None,
        as_document: bool = False,
    ) -> dict:
        """Send a voice note (or an audio file as a document) the fake serves; returns it."""
        unique_id = unique_id or uuid.uuid4().hex[:16]
        file_id = f"voice-{unique_id}-{uuid.uuid4().hex[:6]}"  # file ids differ per delivery
        self.telegram.add_file(file_id, unique_id, data, f"voice/{file_id}.oga")
        voice = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": file_size or len(data),
        }
        if as_document:
            voice["file_name"] = "idea.ogg"
            del voice["duration"]
        message = self._message(**{"document" if as_document else "voice": voice})
        self.telegram.push({"message": message})
        return message

    def send_attachment(self, kind: str, data: bytes, path: str, **fields) -> dict:
        """Send a message carrying a file the fake serves at `path`: `kind` is the Bot API's
        field (video_note, audio, …), `fields` the attachment's own (duration, mime_type…)."""
        unique_id = uuid.uuid4().hex[:16]
        file_id = f"{kind}-{unique_id}"
        self.telegram.add_file(file_id, unique_id, data, path.format(file_id=file_id))
        attachment = {"file_id": file_id, "file_unique_id": unique_id, "file_size": len(data)}
        message = self._message(**{kind: attachment | fields})
        self.telegram.push({"message": message})
        return message

    def send_text(self, text: str) -> dict:
        message = self._message(text=text)
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.telegram.push({"message": message})
        return message

    def press(self, sent: Call, label: str) -> None:
        """Press the button labelled `label` under a message the bot sent."""
        keyboard = sent.params["reply_markup"]["inline_keyboard"]
        data = next(b["callback_data"] for row in keyboard for b in row if b["text"] == label)
        self.telegram.push(
            {
                "callback_query": {
                    "id": str(next(_CALLBACK_IDS)),
                    "from": self.user,
                    "chat_instance": "1",
                    "data": data,
                    "message": sent.result,
                }
            }
        )

    # -- what the bot sent this user ----------------------------------------------------------

    def _to_me(self, call: Call) -> bool:
        """A call that reached this user's chat (not one the fake refused)."""
        return call.params.get("chat_id") == self.user["id"] and not call.refused

    def wait_reply(self, contains: str, timeout: float = 60, method: str = "sendMessage") -> Call:
        """The first message sent (or edited, with method=editMessageText) containing `contains`."""
        return self.telegram.wait_for(
            lambda c: c.method == method and self._to_me(c) and contains in c.params["text"],
            timeout,
        )[0]

    def wait_draft(self, number: int = 1, timeout: float = 180) -> Call:
        """The `number`-th draft: a message carrying the decision buttons."""
        drafts = self.telegram.wait_for(
            lambda c: (
                c.method == "sendMessage"
                and self._to_me(c)
                and "approve:" in str(c.params.get("reply_markup", ""))
            ),
            timeout,
            count=number,
        )
        return drafts[number - 1]

    def documents(self, count: int, timeout: float = 120) -> list[Call]:
        return self.telegram.wait_for(
            lambda c: c.method == "sendDocument" and self._to_me(c), timeout, count=count
        )

    def videos(self, count: int, timeout: float = 180) -> list[Call]:
        """The first `count` video messages sent to this user."""
        return self.telegram.wait_for(
            lambda c: c.method == "sendVideo" and self._to_me(c), timeout, count=count
        )

    def sent(self, method: str) -> list[Call]:
        return [c for c in self.telegram.calls_to(method) if self._to_me(c)]


class RunningBot:
    """The real Application, polling the fake from its own event loop thread."""

    def __init__(self, application, submission: LocalSubmission) -> None:
        self.application = application
        self.submission = submission
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="bot", daemon=True)

    def _run(self, coroutine, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def start(self) -> None:
        self._thread.start()
        self._run(self._start())

    async def _start(self) -> None:
        # The same steps, in the same order, as Application.run_polling.
        app = self.application
        await app.initialize()
        await app.post_init(app)
        await app.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        await app.start()

    def stop(self) -> None:
        self._run(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _stop(self) -> None:
        app = self.application
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    def end_waiting_runs(self) -> None:
        """Reject whatever still waits, so no run outlives its test's settings."""
        for run in self.submission.runs.values():
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if run.is_paused():
                    with contextlib.suppress(NotWaiting):  # it may end on its own meanwhile
                        run.decide("reject", "test over")
                if not run._thread.is_alive():
                    break
                time.sleep(0.5)


class PreviewFfmpeg:
    """An ffmpeg first on PATH that is the real one, except for the preview's calls (the only
    ones that say 540x960): those wait while the preview is held, and fail when told to."""

    def __init__(self, directory) -> None:
        self.directory = directory
        self._hold, self._fail = directory / "hold", directory / "fail"
        program = directory / "ffmpeg"
        program.write_text(
            "#!/bin/sh\n"
            'for argument in "$@"; do\n'
            '  case "$argument" in *540x960*)\n'
            f'    while [ -e "{self._hold}" ]; do sleep 0.1; done\n'
            f'    if [ -e "{self._fail}" ]; then echo "injected failure" >&2; exit 1; fi;;\n'
            "  esac\n"
            "done\n"
            f'exec "{shutil.which("ffmpeg")}" "$@"\n'
        )
        program.chmod(program.stat().st_mode | stat.S_IXUSR)

    @property
    def path(self) -> str:
        """PATH for a process of the stack, this ffmpeg first."""
        return f"{self.directory}{os.pathsep}{child_env()['PATH']}"

    def hold(self) -> None:
        self._hold.touch()

    def release(self) -> None:
        self._hold.unlink(missing_ok=True)

    close = release  # contextlib.closing(fake): released when the block ends

    def fail(self) -> None:
        self._fail.touch()


@pytest.fixture
def preview_ffmpeg(tmp_path, monkeypatch) -> Iterator[PreviewFfmpeg]:
    """PreviewFfmpeg on this process's PATH (the bot's local runs render here)."""
    directory = tmp_path / "preview-ffmpeg"
    directory.mkdir()
    fake = PreviewFfmpeg(directory)
    monkeypatch.setenv("PATH", f"{directory}{os.pathsep}{os.environ['PATH']}")
    yield fake
    fake.release()  # a render still held would hold the render slot after the test


@pytest.fixture(scope="session")
def spanish_as(tmp_path_factory):
    """The Spanish clip re-encoded as Telegram carries other media: `spanish_as("mp3")`
    (an audio message), `spanish_as("mp4")` (a round video note, with a picture)."""
    folder = tmp_path_factory.mktemp("telegram-media")
    source = DATA / "es_rioplatense_synth.ogg"

    def encode(kind: str) -> bytes:
        out = folder / f"note.{kind}"
        if not out.exists():
            if kind == "mp4":
                picture = ["-f", "lavfi", "-i", "color=c=gray:s=240x240:r=10"]
                ffmpeg(*picture, "-i", source, "-shortest", "-c:v", "mpeg4", "-c:a", "aac", out)
            else:
                ffmpeg("-i", source, "-c:a", "libmp3lame", out)
        return out.read_bytes()

    return encode


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram(TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def bot_settings(telegram, data_dir, monkeypatch):
    monkeypatch.setenv("EDITORBOT_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("EDITORBOT_TELEGRAM_API_URL", telegram.api_url)
    monkeypatch.setenv("EDITORBOT_TELEGRAM_FILE_URL", telegram.file_url)
    monkeypatch.setenv("EDITORBOT_ALLOWED_USERS", f"{CREATOR},{COLLEAGUE}")
    monkeypatch.setenv("EDITORBOT_APPROVAL_POLL_S", "1")
    monkeypatch.setenv("EDITORBOT_BOT_PERSISTENCE", str(data_dir / ".bot" / "persistence.pickle"))
    return get_settings()


@pytest.fixture
def running_bot(prefect_api, bot_settings) -> Iterator[RunningBot]:
    submission = LocalSubmission()
    running = RunningBot(build_application(bot_settings, submission), submission)
    running.start()
    try:
        yield running
    finally:
        try:
            running.end_waiting_runs()
        finally:
            running.stop()


@pytest.fixture
def creator(telegram, running_bot) -> Creator:
    return Creator(telegram, CREATOR)


@pytest.fixture
def colleague(telegram, running_bot) -> Creator:
    return Creator(telegram, COLLEAGUE, "Bea")


@pytest.fixture
def stranger(telegram, running_bot) -> Creator:
    return Creator(telegram, STRANGER, "Eve")
