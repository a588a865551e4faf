"""The approval gate: a typed input, the wait, and resuming a waiting run from anywhere."""

from typing import Literal
from uuid import UUID

from prefect import get_client
from prefect.artifacts import create_markdown_artifact
from prefect.client.schemas.responses import SetStateStatus
from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run, suspend_flow_run
from prefect.input import RunInput
from prefect.runtime import deployment
from prefect.states import State

from editorbot.errors import EditorBotError
from editorbot.run_key import run_key_slug
from editorbot.schemas import DraftKeys

_PAUSE_KEY_PREFIX = "approval-"


class Approval(RunInput):
    """A reviewer's decision on the draft shown above."""

    decision: Literal["approve", "revise", "reject"]
    notes: str = ""


class NotWaiting(EditorBotError):
    """The run is not waiting for a decision (someone else decided, or it ended)."""


class DraftReplaced(NotWaiting):
    """The run waits, but on a newer draft than the one this decision was made on."""


def pause_key(revision: int) -> str:
    """The gate's pause key for a draft revision: a resumed run replays earlier answers by it."""
    return f"{_PAUSE_KEY_PREFIX}{revision}"


def request_approval(
    draft: DraftKeys, run_key: str, revision: int, timeout_s: int, poll_s: int
) -> Approval | None:
    """Show the draft on the run page and wait for a decision; None when the wait timed out."""
    create_markdown_artifact(
        markdown=draft.markdown,
        key=f"draft-{run_key_slug(run_key)}",
        description=f"Draft revision {revision} of {run_key}, waiting for approval",
    )
    request = Approval.with_initial_data(
        description=f"{draft.markdown}\n\n---\nApprove, ask for a revision (say what to change in "
        "the notes; the offline engine applies lines written `old -> new`), or reject.",
        decision="approve",
    )
    key = pause_key(revision)
    try:
        if deployment.id:
            # From a deployment: release the process while we wait; resuming reruns the flow,
            # and cached tasks make that cheap.
            return suspend_flow_run(wait_for_input=request, timeout=timeout_s, key=key)
        return pause_flow_run(
            wait_for_input=request, timeout=timeout_s, poll_interval=poll_s, key=key
        )
    except FlowPauseTimeout:
        return None


def gate_revision(state: State | None) -> int | None:
    """The draft revision a run waits on at its gate, or None when it is not waiting."""
    if state is None or not state.is_paused():
        return None
    key = state.state_details.pause_key or ""
    return int(key.removeprefix(_PAUSE_KEY_PREFIX)) if key.startswith(_PAUSE_KEY_PREFIX) else None


def expired(state: State) -> bool:
    """Whether a run ended because nobody decided in time.

    Prefect's server itself fails a run whose pause timed out, with this message; the flow
    cannot give that state a name of its own.
    """
    return state.is_failed() and "never resumed" in (state.message or "")


def decide(
    flow_run_id: UUID | str, decision: str, notes: str = "", revision: int | None = None
) -> None:
    """Resume a waiting run with a decision; raises NotWaiting if it is not paused.

    With `revision` (the draft the reviewer saw, 0 for the first), the decision only counts
    while the run waits on that draft: a button under an older draft raises DraftReplaced
    instead of approving a newer draft nobody has read yet.
    """
    answer = Approval(decision=decision, notes=notes)  # validate before touching the run
    run_id = UUID(str(flow_run_id))
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(run_id).state
        if state is not None and state.is_paused():
            if revision is not None and state.state_details.pause_key != pause_key(revision):
                raise DraftReplaced(
                    f"Run {run_id} has a newer draft than this one; decide on the newest."
                )
            # Approvers race (chat, CLI, UI): the server resumes a paused run once and
            # answers the others ABORT, which Prefect's own resume_flow_run passes over in
            # silence; only an accepted resume means this decision is the one taken.
            response = client.resume_flow_run(
                run_id, run_input=answer.model_dump(include={"decision", "notes"})
            )
            if response.status == SetStateStatus.ACCEPT:
                return
            state = client.read_flow_run(run_id).state
    shown = state.name if state else "unknown"
    raise NotWaiting(f"Run {run_id} is not waiting for approval; it is {shown}.")
