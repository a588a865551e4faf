"""Speech to text, here or in the warm transcription worker; cached, so it never runs twice."""

import logging
import math
import time
from uuid import UUID

from prefect import get_client, task
from prefect.artifacts import create_progress_artifact
from prefect.cache_policies import INPUTS, TASK_SOURCE
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterId
from prefect.client.schemas.objects import Artifact
from prefect.states import Crashed
from telegram.error import TelegramError

from editorbot import telegram_api
from editorbot.errors import BadAudio, EditorBotError
from editorbot.redaction import redacting_errors
from editorbot.schemas import ChatTarget, StoredAudio, Transcript
from editorbot.settings import get_settings
from tasks.cache_policies import WhisperConfig
from tasks.notify import STEP_TEXT
from tasks.recognize_speech import progress_line, recognize, recognize_speech
from tasks.task_workers import worker_listening

log = logging.getLogger(__name__)

NO_SPEECH = "We heard no speech in this note; please record it again, close to the microphone."
CHAT_EDIT_S = 5.0
"""At most one progress edit of the status message this often: a 10-minute note makes a
dozen, far under Telegram's limits for one chat."""
WORKER_POLL_S = 5.0
"""How often the flow looks at the worker's progress while it waits for the transcript (the
transcript itself is noticed at once: Prefect's wait listens for its event). Each look is
three reads on the server, for each note waiting: at 2 s, eight notes waiting in a burst
were 12 requests a second. The chat shows progress at most every CHAT_EDIT_S anyway."""
UNRECORDED_RETRY_S = 1.0
"""How soon to wait again when the server has not yet recorded the handed-over note."""
WORKER_SILENCE_S = 30.0
"""No sign of the worker for this long (it touches the note's progress every few seconds while
it holds it): the note is lost with the worker, and is handed to the worker again."""


class _ChatProgress:
    """The status message, edited as the transcription goes; never more than CHAT_EDIT_S."""

    def __init__(self, chat: ChatTarget | None) -> None:
        self.chat = chat
        self._shown: str | None = None
        self._at = -math.inf

    def show(self, detail: str) -> None:
        if self.chat is None or self.chat.status_message_id is None:
            return  # the CLI has no chat; a chat without a status message gets no edits
        text = f"{STEP_TEXT['transcribing']} {detail}"
        if text == self._shown or time.monotonic() - self._at < CHAT_EDIT_S:
            return
        self._shown, self._at = text, time.monotonic()
        try:
            telegram_api.edit_status(self.chat.chat_id, self.chat.status_message_id, text)
        except (TelegramError, EditorBotError) as error:
            # Progress is a courtesy: a refused edit must not cost the creator the transcript.
            log.warning("Could not show transcription progress in the chat: %s", error)

    def progress(self, done_s: float, total_s: float) -> None:
        self.show(progress_line(done_s, total_s))


def _in_worker(audio: StoredAudio, language: str, chat: _ChatProgress) -> Transcript:
    """Hand the note to `editorbot transcriber`, relay its progress, resend it if it dies."""
    progress_id = create_progress_artifact(0.0, description="queued for the transcriber")
    future = recognize_speech.delay(audio, language, progress_id)
    seen, last_sign = None, time.monotonic()
    with get_client(sync_client=True) as client:
        while True:
            try:
                future.wait(WORKER_POLL_S)
            except RuntimeError:
                # Prefect's future refuses to wait on a task run whose first state the busy
                # server has not recorded yet ("hasn't started yet"): look again shortly.
                time.sleep(UNRECORDED_RETRY_S)
            state = future.state  # Pending while the server has no state for it yet
            if state.is_final():
                return future.result()
            progress = _artifact(client, progress_id)
            sign = (state.type, progress.updated, progress.description)
            if sign != seen:
                seen, last_sign = sign, time.monotonic()
                chat.show(progress.description or "")
            if time.monotonic() - last_sign < WORKER_SILENCE_S:
                continue
            if not worker_listening(recognize_speech):
                # Nobody to resend to: the silence counts from when a worker is back.
                chat.show("waiting for a transcriber")
                last_sign = time.monotonic()
                continue
            # Silent while a worker listens: the one that held the note died, or the server
            # lost its queue in a restart. The cache makes a second copy cost nothing if the
            # first one turns up after all.
            client.set_task_run_state(
                future.task_run_id,
                Crashed(message="The transcription worker went silent; the note was sent again."),
                force=True,
            )
            log.warning("Transcriber silent for %.0f s; sending the note again", WORKER_SILENCE_S)
            future = recognize_speech.delay(audio, language, progress_id)
            last_sign = time.monotonic()


def _artifact(client, artifact_id: UUID) -> Artifact:
    return client.read_artifacts(
        artifact_filter=ArtifactFilter(id=ArtifactFilterId(any_=[artifact_id]))
    )[0]


@task(persist_result=True, cache_policy=(INPUTS - "chat") + TASK_SOURCE + WhisperConfig())
@redacting_errors
def transcribe(audio: StoredAudio, language: str, chat: ChatTarget | None = None) -> Transcript:
    """Transcribe the cleaned note (`language`: "es", "auto"…); BadAudio if no word is heard.

    EDITORBOT_TRANSCRIPTION=worker (`editorbot serve` sets it) hands the note to the warm
    transcription worker; otherwise this process loads the model and transcribes. Either
    way the chat's status message shows how far it got.
    """
    progress = _ChatProgress(chat)
    if get_settings().transcription == "worker":
        transcript = _in_worker(audio, language, progress)
    else:
        transcript = recognize(audio, language, progress.progress)
    if not transcript.text:
        # A tone, music or noise loud enough to pass the silence check: there are no words
        # to structure, and the creator can fix that, so it is their sentence, not our error.
        raise BadAudio(NO_SPEECH)
    return transcript
