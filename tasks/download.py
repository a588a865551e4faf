"""Fetch the note as it was sent and keep it unchanged."""

import hashlib
from pathlib import Path

from prefect import task

from editorbot.errors import BadSource
from editorbot.schemas import StoredAudio
from editorbot.storage import configured_storage, raw_audio_key
from editorbot.telegram_api import fetch_file, telegram_file_id
from tasks.cache_policies import STORED_ONCE
from tasks.transient import NETWORK_RETRIES


def _extension(source: str) -> str:
    suffix = Path(source).suffix.lower().lstrip(".")
    return suffix if suffix.isalnum() and len(suffix) <= 5 else "bin"


def read_local(source: str) -> bytes:
    path = Path(source).expanduser()
    if not path.is_file():
        raise BadSource(f"There is no file at {source}; check the path and try again.")
    return path.read_bytes()


@task(
    persist_result=True,
    cache_policy=STORED_ONCE,
    **NETWORK_RETRIES,
)
def download(source: str, run_key: str) -> StoredAudio:
    """Read the note (a path, or `telegram:<file_id>`) and store it at audio/raw/<run_key>.<ext>."""
    file_id = telegram_file_id(source)
    if file_id is None:
        data, ext = read_local(source), _extension(source)
    else:
        data, ext = fetch_file(file_id)
    storage = configured_storage()
    key = raw_audio_key(run_key, ext)
    storage.put(key, data)
    return StoredAudio(key=key, sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data))
