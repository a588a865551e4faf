"""Speech to text with the process-wide Whisper model; cached, so it never runs twice."""

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import INPUTS, TASK_SOURCE, CachePolicy
from prefect.utilities.hashing import hash_objects

from editorbot.schemas import StoredAudio, Transcript
from editorbot.settings import get_settings
from editorbot.storage import configured_storage
from editorbot.whisper import engine_identity, get_engine


@dataclass
class WhisperConfig(CachePolicy):
    """Part of the cache key: which engine, model and beam width produced the transcript."""

    def compute_key(self, task_ctx, inputs, flow_parameters, **kwargs: Any) -> str | None:
        settings = get_settings()
        return hash_objects(engine_identity(settings), settings.whisper_beam_size)


@task(persist_result=True, cache_policy=INPUTS + TASK_SOURCE + WhisperConfig())
def transcribe(audio: StoredAudio, language: str) -> Transcript:
    """Transcribe the cleaned note; `language` is a code such as "es", or "auto"."""
    settings = get_settings()
    storage = configured_storage(settings)
    engine = get_engine(settings)
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "note.wav"
        wav.write_bytes(storage.get(audio.key))
        return engine.transcribe(wav, language, settings.whisper_beam_size)
