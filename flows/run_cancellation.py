"""Runs cancelled while a thread of this process runs them: they stop at their next step."""

import threading
from uuid import UUID

from prefect.context import FlowRunContext

_cancelled: set[UUID] = set()
_lock = threading.Lock()


class RunCancelled(Exception):
    """Raised in a run's thread at its next step once the run was cancelled (the UI's Cancel).

    A thread cannot be killed as Prefect's runner kills a run's process. The server keeps the
    run Cancelling (it refuses the Failed state the engine proposes for this), and the lane
    that held the thread marks it Cancelled (flows/serve.py).
    """


def cancel_at_next_step(run_id: UUID) -> bool:
    """Stop the run at its next step; False if it was told already."""
    with _lock:
        told = run_id in _cancelled
        _cancelled.add(run_id)
    return not told


def forget(run_id: UUID) -> None:
    with _lock:
        _cancelled.discard(run_id)


def stop_if_cancelled() -> None:
    """Raise RunCancelled inside a run that `cancel_at_next_step` named; else nothing."""
    context = FlowRunContext.get()
    if context is not None and context.flow_run is not None and context.flow_run.id in _cancelled:
        raise RunCancelled(f"Run {context.flow_run.id} was cancelled; it stops before this step.")
