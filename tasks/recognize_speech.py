"""Whisper on a cleaned note, in the long-lived transcription worker that keeps the model loaded."""

import logging
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

from prefect import get_run_logger, task
from prefect.artifacts import update_progress_artifact
from prefect.cache_policies import INPUTS, TASK_SOURCE
from prefect.exceptions import MissingContextError

from editorbot.redaction import redacting_errors
from editorbot.schemas import StoredAudio, Transcript
from editorbot.settings import get_settings
from editorbot.storage import configured_storage
from editorbot.whisper import Progress, get_engine
from tasks.cache_policies import WhisperConfig
from tasks.global_slots import QueuedSlot

TRANSCRIPTION_SLOTS = "editorbot-transcription"
"""Global concurrency limit: one transcription at a time saturates a 2-vCPU machine."""
SLOT_TAKEN = "Transcription slot taken; transcribing"
SLOT_RELEASED = "Transcribed; releasing the transcription slot"
HEARTBEAT_S = 5
"""How often the worker touches a note's progress while it holds the note, even with no news:
the flow waiting for it takes silence as the worker's death (tasks/transcribe.py)."""

_transcriptions_here = QueuedSlot(TRANSCRIPTION_SLOTS)
"""A worker takes every note it is sent (so none waits, unseen, in a dead worker's hands) and
transcribes them one after another with its one model, in the order they came, passing the
global slot from one to the next while they queue."""


def recognize(audio: StoredAudio, language: str, progress: Progress) -> Transcript:
    """Fetch the cleaned WAV and transcribe it with this process's model, inside a slot."""
    settings = get_settings()
    try:
        log = get_run_logger()  # its lines reach the run's page
    except MissingContextError:  # called as a plain function (the benchmark's direct path)
        log = logging.getLogger(__name__)
    # Local runs, `editorbot serve` and the worker create the limit; without it (deleted by
    # hand) this takes no slot and waits for nothing rather than failing the run.
    with _transcriptions_here.held(), tempfile.TemporaryDirectory() as tmp:
        # Both lines are written inside the slot: the run page (and a test) shows when this
        # note held it, and a note queued behind another shows the wait.
        log.info(SLOT_TAKEN)
        # Fetched in its turn, not while it queues: a burst of long notes fetched at once
        # would hold their audio (19 MB per 10 minutes) in memory together, then on disk.
        wav = Path(tmp) / "note.wav"
        wav.write_bytes(configured_storage(settings).get(audio.key))
        # Loaded inside the slot: a process that only waits holds no model in memory.
        engine = get_engine(settings)
        transcript = engine.transcribe(wav, language, settings.whisper_beam_size, progress)
        log.info(f"{SLOT_RELEASED}: {len(transcript.segments)} segments")
        return transcript


class _ProgressArtifact:
    """The note's progress artifact, updated as segments come and every HEARTBEAT_S anyway."""

    def __init__(self, artifact_id: UUID) -> None:
        self.artifact_id = artifact_id
        self._news = ("queued in the transcriber", 0.0)
        self._changed = threading.Event()
        self._done = threading.Event()

    def tell(self, text: str, percent: float) -> None:
        self._news = (text, percent)
        self._changed.set()

    def progress(self, done_s: float, total_s: float) -> None:
        self.tell(progress_line(done_s, total_s), 100 * done_s / total_s if total_s else 100.0)

    def beat(self) -> None:
        while not self._done.is_set():
            text, percent = self._news
            try:
                update_progress_artifact(self.artifact_id, round(percent, 1), text)
            except Exception:  # the server restarting, say: the next beat tries again
                logging.getLogger(__name__).warning("Could not report progress", exc_info=True)
            # News is sent at most every second; silence every HEARTBEAT_S.
            self._changed.wait(HEARTBEAT_S)
            self._changed.clear()
            self._done.wait(1)

    @contextmanager
    def beating(self) -> Iterator["_ProgressArtifact"]:
        beater = threading.Thread(target=self.beat, name="progress-heartbeat", daemon=True)
        beater.start()
        try:
            yield self
        finally:
            self._done.set()
            self._changed.set()  # wakes the beat now rather than after its wait
            beater.join(timeout=10)


def progress_line(done_s: float, total_s: float) -> str:
    """How far a transcription got, as the chat and the Prefect UI show it."""
    percent = 100 * done_s / total_s if total_s else 100.0
    return f"{percent:.0f} % ({_clock(done_s)} of {_clock(total_s)})"


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


# The flow hands the note here with `.delay()`: the task worker (`editorbot transcriber`) runs
# it. Cached like the flow's own step, so a note sent twice (a retry, a worker's death) is
# transcribed once; the progress artifact is where to report, not part of what is computed.
@task(persist_result=True, cache_policy=(INPUTS - "progress_id") + TASK_SOURCE + WhisperConfig())
@redacting_errors
def recognize_speech(audio: StoredAudio, language: str, progress_id: UUID | None) -> Transcript:
    """Transcribe the note with the worker's loaded model, reporting to `progress_id`."""
    if progress_id is None:
        return recognize(audio, language, lambda done_s, total_s: None)
    with _ProgressArtifact(progress_id).beating() as report:
        report.tell("waiting for a transcription slot", 0.0)
        return recognize(audio, language, report.progress)
