"""Subtitles beside the audio: subtitles/<run_key>.srt and .vtt."""

from prefect import task

from editorbot.redaction import redacting_errors
from editorbot.schemas import Transcript
from editorbot.storage import configured_storage, subtitles_key
from editorbot.subtitles import to_srt, to_vtt
from tasks.cache_policies import STORED_ONCE
from tasks.transient import NETWORK_RETRIES


@task(
    persist_result=True,
    cache_policy=STORED_ONCE,
    **NETWORK_RETRIES,
)
@redacting_errors
def write_subtitles(transcript: Transcript, run_key: str) -> list[str]:
    """Write the transcript's segments as SRT and WebVTT; returns the keys written."""
    storage = configured_storage()
    keys = []
    for fmt, render, mime in (("srt", to_srt, "application/x-subrip"), ("vtt", to_vtt, "text/vtt")):
        key = subtitles_key(run_key, fmt)
        storage.put(key, render(transcript.segments).encode("utf-8"), mime)
        keys.append(key)
    return keys
