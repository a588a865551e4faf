"""What the bot reads from Prefect about a creator's runs, by the `user:<id>` tag."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, FlowRunFilterTags
from prefect.client.schemas.sorting import FlowRunSort

from bot.submission import user_tag
from flows.approval import DraftReplaced, NotWaiting, decide


@dataclass(frozen=True)
class RunSummary:
    run_id: UUID
    state: str
    run_key: str
    started: datetime
    waiting: bool


def recent_runs(user_id: int, limit: int = 5) -> list[RunSummary]:
    """The user's latest runs, newest first."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[user_tag(user_id)])),
            sort=FlowRunSort.EXPECTED_START_TIME_DESC,
            limit=limit,
        )
    return [
        RunSummary(
            run_id=run.id,
            state=run.state_name or "-",
            run_key=next((t[8:] for t in run.tags if t.startswith("run-key:")), "-"),
            started=run.expected_start_time or run.created or datetime.now(UTC),
            waiting=bool(run.state and run.state.is_paused()),
        )
        for run in runs
    ]


def owns_run(user_id: int, run_id: UUID) -> bool:
    """Whether the run was submitted by this user."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[run_id]),
                tags=FlowRunFilterTags(all_=[user_tag(user_id)]),
            ),
            limit=1,
        )
    return bool(runs)


def decide_when_waiting(
    run_id: UUID,
    decision: str,
    notes: str,
    patience_s: float = 20,
    revision: int | None = None,
) -> None:
    """`decide`, allowing a run that is still getting to its gate a moment to reach it.

    The draft reaches the chat just before the run pauses, so a quick tap can arrive first.
    Raises NotWaiting once the run is over, or if it does not pause within `patience_s`;
    DraftReplaced at once when it waits on a newer draft than `revision`.
    """
    deadline = time.monotonic() + patience_s
    while True:
        try:
            decide(run_id, decision, notes, revision)
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
