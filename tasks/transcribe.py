"""Speech to text with the process-wide Whisper model; cached, so it never runs twice."""

import logging
import tempfile
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import INPUTS, TASK_SOURCE
from prefect.concurrency.sync import concurrency
from prefect.exceptions import MissingContextError

from editorbot.errors import BadAudio
from editorbot.schemas import StoredAudio, Transcript
from editorbot.settings import get_settings
from editorbot.storage import configured_storage
from editorbot.whisper import get_engine
from tasks.cache_policies import WhisperConfig

TRANSCRIPTION_SLOTS = "editorbot-transcription"
"""Global concurrency limit: one transcription at a time saturates a 2-vCPU machine."""
SLOT_LEASE_S = 60
"""How long a slot outlives a transcription whose process was killed (the server's minimum).

The holder renews the lease while it works; Prefect's default of 300 s held every other
note back for five minutes after a runner died mid-transcription.
"""

SLOT_TAKEN = "Transcription slot taken; transcribing"
SLOT_RELEASED = "Transcribed; releasing the transcription slot"

NO_SPEECH = "We heard no speech in this note; please record it again, close to the microphone."


@task(persist_result=True, cache_policy=INPUTS + TASK_SOURCE + WhisperConfig())
def transcribe(audio: StoredAudio, language: str) -> Transcript:
    """Transcribe the cleaned note (`language`: "es", "auto"…); BadAudio if no word is heard."""
    settings = get_settings()
    storage = configured_storage(settings)
    try:
        log = get_run_logger()  # its lines reach the run's page
    except MissingContextError:  # called as a plain function (the benchmark's direct path)
        log = logging.getLogger(__name__)
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "note.wav"
        wav.write_bytes(storage.get(audio.key))
        # Local runs and `editorbot serve` create the limit; without it (deleted by hand)
        # this takes no slot and waits for nothing rather than failing the run.
        with concurrency(TRANSCRIPTION_SLOTS, occupy=1, lease_duration=SLOT_LEASE_S, strict=False):
            # Both lines are written inside the slot: the run page (and a test) shows when
            # this note held it, and a note queued behind another shows the wait.
            log.info(SLOT_TAKEN)
            # Loaded inside the slot: a queued note waits without holding a model in memory.
            engine = get_engine(settings)
            transcript = engine.transcribe(wav, language, settings.whisper_beam_size)
            log.info(f"{SLOT_RELEASED}: {len(transcript.segments)} segments")
    if not transcript.text:
        # A tone, music or noise loud enough to pass the silence check: there are no words
        # to structure, and the creator can fix that, so it is their sentence, not our error.
        raise BadAudio(NO_SPEECH)
    return transcript
