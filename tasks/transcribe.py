"""Speech to text with the process-wide Whisper model; cached, so it never runs twice."""

import tempfile
from pathlib import Path

from prefect import task
from prefect.cache_policies import INPUTS, TASK_SOURCE
from prefect.concurrency.sync import concurrency

from editorbot.schemas import StoredAudio, Transcript
from editorbot.settings import get_settings
from editorbot.storage import configured_storage
from editorbot.whisper import get_engine
from tasks.cache_policies import WhisperConfig

TRANSCRIPTION_SLOTS = "editorbot-transcription"
"""Global concurrency limit: one transcription at a time saturates a 2-vCPU machine."""


@task(persist_result=True, cache_policy=INPUTS + TASK_SOURCE + WhisperConfig())
def transcribe(audio: StoredAudio, language: str) -> Transcript:
    """Transcribe the cleaned note; `language` is a code such as "es", or "auto"."""
    settings = get_settings()
    storage = configured_storage(settings)
    engine = get_engine(settings)
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "note.wav"
        wav.write_bytes(storage.get(audio.key))
        # Local runs and `editorbot serve` create the limit; without it (deleted by hand)
        # this takes no slot and waits for nothing rather than failing the run.
        with concurrency(TRANSCRIPTION_SLOTS, occupy=1, strict=False):
            return engine.transcribe(wav, language, settings.whisper_beam_size)
