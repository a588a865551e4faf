"""Replay failed or crashed runs: the same run again, its finished steps taken from the cache."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.states import AwaitingRetry

from editorbot.errors import EditorBotError
from flows.runs import PRODUCT_TAG, runs_tagged


class NotReplayable(EditorBotError):
    """Only a run that failed or crashed can be replayed."""


def failed_runs(since: timedelta) -> list[FlowRun]:
    """EditorBot runs that failed or crashed and started within `since`."""
    return runs_tagged(
        PRODUCT_TAG,
        state_types=[StateType.FAILED, StateType.CRASHED],
        started_after=datetime.now(UTC) - since,
    )


def schedule_replay(flow_run_id: UUID | str) -> FlowRun:
    """Set a failed or crashed run back to scheduled; a deployment's runner then picks it up."""
    run_id = UUID(str(flow_run_id))
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(run_id)
        if not run.state or run.state.type not in (StateType.FAILED, StateType.CRASHED):
            shown = run.state.name if run.state else "unknown"
            # A run whose runner died stays Running until `editorbot serve`'s automation
            # sees its heartbeats stop (flows/serve.py); say so rather than leave it a puzzle.
            hint = (
                " If its runner is gone, it turns Crashed after three missed heartbeats;"
                " replay it then."
                if run.state and run.state.is_running()
                else ""
            )
            raise NotReplayable(
                f"Run {run_id} is {shown}; only failed or crashed runs are replayed.{hint}"
            )
        client.set_flow_run_state(
            run_id, AwaitingRetry(message="Replayed by editorbot"), force=True
        )
        return client.read_flow_run(run_id)
