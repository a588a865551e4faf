"""What the bot reads from Prefect about a creator's runs, by the `user:<id>` tag."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from prefect import get_client

from flows.approval import DraftReplaced, NotWaiting, decide
from flows.runs import run_has_tag, run_key_of, runs_tagged, user_tag


@dataclass(frozen=True)
class RunSummary:
    run_id: UUID
    state: str
    run_key: str
    started: datetime
    waiting: bool


def recent_runs(user_id: int, limit: int = 5) -> list[RunSummary]:
    """The user's latest runs, newest first."""
    return [
        RunSummary(
            run_id=run.id,
            state=run.state_name or "-",
            run_key=run_key_of(run) or "-",
            started=run.expected_start_time or run.created or datetime.now(UTC),
            waiting=bool(run.state and run.state.is_paused()),
        )
        for run in runs_tagged(user_tag(user_id), limit=limit)
    ]


def owns_run(user_id: int, run_id: UUID) -> bool:
    """Whether the run was submitted by this user."""
    return run_has_tag(run_id, user_tag(user_id))


def decide_when_waiting(
    run_id: UUID,
    decision: str,
    notes: str,
    patience_s: float = 20,
    draft: str | None = None,
) -> None:
    """`decide`, allowing a run that is still getting to its gate a moment to reach it.

    The draft reaches the chat just before the run pauses, so a quick tap can arrive first.
    Between the two are only the draft's render plan, handing its preview over (rendered
    beside the gate, never before it: flows/previews.py) and its artifact on the run page:
    a few API calls, well under 20 s even on a loaded 2-core machine.
    Raises NotWaiting once the run is over, or if it does not pause within `patience_s`;
    DraftReplaced at once when it waits on another draft than `draft` (a digest).
    """
    deadline = time.monotonic() + patience_s
    while True:
        try:
            decide(run_id, decision, notes, draft)
            return
        except DraftReplaced:
            raise  # waiting, but on a newer draft: no point in waiting longer
        except NotWaiting:
            with get_client(sync_client=True) as client:
                state = client.read_flow_run(run_id).state
            if state is None or state.is_final():
                # Say how it ended, not the state it was passing through a moment ago.
                shown = state.name if state else "unknown"
                raise NotWaiting(
                    f"Run {run_id} is not waiting for approval; it is {shown}."
                ) from None
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def run_state_if_over(run_id: UUID) -> str | None:
    """The name of the run's final state, or None while it is still going."""
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(run_id).state
    return state.name if state is not None and state.is_final() else None
