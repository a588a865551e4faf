"""The global limit that lets one transcription at a time run on a small machine."""

import contextlib

from prefect import get_client
from prefect.client.schemas.actions import (
    GlobalConcurrencyLimitCreate,
    GlobalConcurrencyLimitUpdate,
)
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from tasks.recognize_speech import TRANSCRIPTION_SLOTS


def ensure_transcription_limit(slots: int, resize: bool = True) -> None:
    """Create the limit with `slots`; an existing one is set to `slots` only when `resize`."""
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(TRANSCRIPTION_SLOTS)
        except ObjectNotFound:
            # Another process may create it between our look-up and this call: either is fine.
            with contextlib.suppress(ObjectAlreadyExists):
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=TRANSCRIPTION_SLOTS, limit=slots)
                )
            return
        if resize:
            client.update_global_concurrency_limit(
                TRANSCRIPTION_SLOTS, GlobalConcurrencyLimitUpdate(limit=slots, active=True)
            )
