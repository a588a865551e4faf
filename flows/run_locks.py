"""Which runs executing on this machine still have a process: a lock each one holds.

A run executed in-process (`editorbot process`, the bot's local mode) has no heartbeat
anyone watches: the embedded Prefect runs no automations, and a process killed mid-run
(Ctrl-\\, out of memory, the laptop closed) left its run Running, or Paused at the gate,
for good, where `editorbot replay` would not take it. So the process holds an exclusive
`flock` on a file named after the run while it executes it; the kernel drops the lock when
the process dies, however it dies. Any later `editorbot` command finds the files whose
lock nobody holds and marks those runs Crashed, which `replay` takes up from the cache.
"""

import contextlib
import fcntl
import hashlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

from prefect import get_client
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL, get_current_settings
from prefect.states import Crashed

log = logging.getLogger(__name__)

GONE = (
    "The process running it is gone (killed, out of memory, the machine stopped). "
    "`editorbot replay` runs it again from where it stopped."
)


def _locks_dir() -> Path:
    """This machine's locks for the Prefect API in use (runs of another API are not ours)."""
    api = PREFECT_API_URL.value() or "embedded"
    name = "embedded" if api == "embedded" else hashlib.sha256(api.encode()).hexdigest()[:12]
    return get_current_settings().home / "editorbot-runs" / name


@contextlib.contextmanager
def run_lock(run_id: UUID) -> Iterator[None]:
    """Hold the run's lock while executing it; raises RuntimeError if a process holds it."""
    directory = _locks_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / str(run_id)
    handle = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"run {run_id} is already executing in another process") from None
        try:
            yield
        finally:
            # Removed before the lock is let go: a sweeper never finds an ended run's file.
            path.unlink(missing_ok=True)
    finally:
        os.close(handle)


def crash_runs_without_process() -> list[UUID]:
    """Mark Crashed every run of this machine whose process is gone; returns their ids."""
    directory = _locks_dir()
    if not directory.is_dir():
        return []
    crashed, alive = [], False
    for path in sorted(directory.iterdir()):
        try:
            handle = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            continue  # its run ended while we looked
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                alive = True  # its process is alive and executing it
                continue
            if _crash(UUID(path.name)):
                crashed.append(UUID(path.name))
            path.unlink(missing_ok=True)
        except ValueError:
            log.warning("%s is not a run's lock; left alone", path)
        finally:
            os.close(handle)
    if not alive and PREFECT_API_URL.value() is None:
        # Embedded Prefect: a dead process's transcription or render slot is never given back
        # (its lease died with that process's server), and with no run executing on this
        # machine (a run takes its lock before its first step), nobody holds one now.
        from flows.transcription_limit import release_all_slots

        release_all_slots()
    return crashed


def _crash(run_id: UUID) -> bool:
    """Mark the run Crashed unless it ended; whether it was marked."""
    with get_client(sync_client=True) as client:
        try:
            state = client.read_flow_run(run_id).state
        except ObjectNotFound:
            return False
        if state is None or state.is_final():
            return False
        # Not forced: should the run have ended meanwhile, the server refuses the change.
        result = client.set_flow_run_state(run_id, Crashed(message=GONE))
    log.warning("run %s was %s, but its process is gone: marked Crashed", run_id, state.name)
    return result.state is not None and result.state.is_crashed()
