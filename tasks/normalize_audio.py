"""Decode and check the note, and store the 16 kHz mono WAV the model will hear."""

import hashlib

from prefect import task

from editorbot.audio import clean_audio
from editorbot.redaction import redacting_errors
from editorbot.schemas import StoredAudio
from editorbot.settings import get_settings
from editorbot.storage import cleaned_audio_key, configured_storage
from tasks.cache_policies import STORED_ONCE
from tasks.transient import NETWORK_RETRIES


@task(
    persist_result=True,
    cache_policy=STORED_ONCE,
    **NETWORK_RETRIES,
)
@redacting_errors
def normalize_audio(raw: StoredAudio, run_key: str) -> StoredAudio:
    """16 kHz mono loudness-normalized WAV at audio/cleaned/<run_key>.wav, or BadAudio."""
    settings = get_settings()
    storage = configured_storage(settings)
    clean = clean_audio(storage.get(raw.key), settings.max_audio_seconds, settings.silence_dbfs)
    key = cleaned_audio_key(run_key)
    storage.put(key, clean.wav, "audio/wav")
    return StoredAudio(
        key=key,
        sha256=hashlib.sha256(clean.wav).hexdigest(),
        size_bytes=len(clean.wav),
        duration_s=clean.duration_s,
    )
