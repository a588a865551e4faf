"""The global limits that let one transcription and one render at a time run on a small machine."""

import contextlib

from prefect import get_client
from prefect.client.schemas.actions import (
    GlobalConcurrencyLimitCreate,
    GlobalConcurrencyLimitUpdate,
)
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from tasks.recognize_speech import TRANSCRIPTION_SLOTS
from tasks.render_video import RENDER_SLOTS


def _ensure_limit(name: str, slots: int, resize: bool) -> None:
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            # Another process may create it between our look-up and this call: either is fine.
            with contextlib.suppress(ObjectAlreadyExists):
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=slots)
                )
            return
        if resize:
            client.update_global_concurrency_limit(
                name, GlobalConcurrencyLimitUpdate(limit=slots, active=True)
            )


def ensure_transcription_limit(slots: int, resize: bool = True) -> None:
    """Create the limit with `slots`; an existing one is set to `slots` only when `resize`."""
    _ensure_limit(TRANSCRIPTION_SLOTS, slots, resize)


def ensure_render_limit(slots: int = 1, resize: bool = False) -> None:
    """Create the render limit (one render at a time: it takes every core); an existing one,
    perhaps widened by hand for a bigger machine, is kept unless `resize`."""
    _ensure_limit(RENDER_SLOTS, slots, resize)


def release_all_slots() -> None:
    """Give every taken transcription and render slot back; only for when no process can
    be holding one.

    The embedded Prefect server keeps its slot leases in its own memory and runs no
    service that revokes expired ones, so a process killed mid-transcription (or mid-render)
    would keep its slot taken for good, and every later note would wait for it for ever.
    """
    with get_client(sync_client=True) as client:
        for name in (TRANSCRIPTION_SLOTS, RENDER_SLOTS):
            try:
                limit = client.read_global_concurrency_limit_by_name(name)
            except ObjectNotFound:
                continue
            if limit.active_slots:
                client.update_global_concurrency_limit(
                    name, GlobalConcurrencyLimitUpdate(active_slots=0)
                )
