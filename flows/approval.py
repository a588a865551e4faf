"""The approval gate: a typed input, the wait, and resuming a waiting run from anywhere.

A decision is bound to the digest of the draft it was made on (editorbot/drafts.py), never
to the run alone: the digest is in the gate's pause key, in each decision (chat buttons, the
CLI, the UI form's `draft` field), and `publish` checks it again against storage. A run that
resumes and drafts again (a deploy that changed its draft stage, a settings change, lost
results) has a new digest, hence a new pause key: Prefect finds no answer under it and the
run waits for a decision on the new draft instead of publishing it.
"""

import time
from itertools import count
from typing import Literal
from uuid import UUID

from prefect import get_client
from prefect.artifacts import create_markdown_artifact
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.responses import OrchestrationResult, SetStateStatus
from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run, suspend_flow_run
from prefect.input import RunInput
from prefect.logging import get_run_logger
from prefect.runtime import deployment, flow_run
from prefect.states import State
from pydantic import Field

from editorbot.errors import EditorBotError
from editorbot.run_key import run_key_slug
from editorbot.schemas import DraftKeys


class Approval(RunInput):
    """A reviewer's decision on the draft shown above."""

    decision: Literal["approve", "revise", "reject"]
    notes: str = ""
    draft: str = Field(
        default="",
        description="The digest of the draft this decision is about; leave it as it is. An "
        "approval whose digest is not the waiting draft's publishes nothing.",
    )


class NotWaiting(EditorBotError):
    """The run is not waiting for a decision (someone else decided, or it ended)."""


class DraftReplaced(NotWaiting):
    """The run waits, but on another draft than the one this decision was made on."""


_PAUSE = "approval"
GATE_OPENING_S = 10.0
"""How long a decision waits for a gate that is still opening.

Prefect marks a run Paused (or Suspended) before it saves the form's schema, and until the
schema is saved the server refuses every answer to it: a button pressed the moment the draft
arrives would otherwise be told the run is not waiting.
"""
_SCHEMA_NOT_SAVED_YET = "Run input schema not found."


def pause_key(revision: int, draft: str, attempt: int = 0) -> str:
    """The gate's pause key: a resumed run finds an earlier answer by it, for that draft only.

    `attempt` counts the times the same draft was asked about again because an approval
    named another draft (a stale form): Prefect keeps one answer per key.
    """
    key = f"{_PAUSE}-{revision}-{draft}"
    return f"{key}-{attempt}" if attempt else key


def gate_reached(revision: int, draft: str) -> bool:
    """Whether this run has already waited on this draft: a run resumed by a decision reruns
    from the top and passes the gate it was suspended at again, now with its answer."""
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(flow_run.id))
    return pause_key(revision, draft) in (run.empirical_policy.pause_keys or set())


def waiting_revision(state: State | None) -> int | None:
    """The revision of the draft a paused run waits on; None if it waits on none."""
    if waiting_draft(state) is None:
        return None
    return int(state.state_details.pause_key.split("-")[1])


def waiting_draft(state: State | None) -> str | None:
    """The digest of the draft a paused run waits on; None if it waits on none."""
    if state is None or not state.is_paused():
        return None
    parts = (state.state_details.pause_key or "").split("-")
    # Gates paused before drafts had digests have keys `approval-<revision>`: no digest.
    if len(parts) >= 3 and parts[0] == _PAUSE:
        return parts[2]
    return None


def _wait(request, key: str, timeout_s: int, poll_s: int) -> Approval:
    if deployment.id:
        # From a deployment: release the process while we wait; resuming reruns the flow,
        # and cached tasks make that cheap.
        return suspend_flow_run(wait_for_input=request, timeout=timeout_s, key=key)
    return pause_flow_run(wait_for_input=request, timeout=timeout_s, poll_interval=poll_s, key=key)


def request_approval(
    draft: DraftKeys, run_key: str, revision: int, timeout_s: int, poll_s: int
) -> Approval | None:
    """Show the draft on the run page and wait for a decision; None when the wait timed out.

    An approval naming another draft than this one (or none) is not an answer: the gate
    asks again, and nothing is approved.
    """
    create_markdown_artifact(
        markdown=draft.markdown,
        key=f"draft-{run_key_slug(run_key)}",
        description=f"Draft revision {revision} of {run_key} ({draft.digest}), waiting for "
        "approval",
    )
    request = Approval.with_initial_data(
        description=f"{draft.markdown}\n\n---\nDraft {draft.digest}. Approve, ask for a "
        "revision (say what to change in the notes; the offline engine applies lines written "
        "`old -> new`), or reject.",
        decision="approve",
        draft=draft.digest,
    )
    for attempt in count():
        try:
            approval = _wait(request, pause_key(revision, draft.digest, attempt), timeout_s, poll_s)
        except FlowPauseTimeout:
            return None
        # The form's `draft` field defaults to this draft's digest (with_initial_data), so an
        # answer that left it out would read as naming this draft: only a digest actually
        # sent counts.
        named = approval.draft if "draft" in approval.model_fields_set else ""
        if approval.decision != "approve" or named == draft.digest:
            return approval
        get_run_logger().warning(
            "An approval naming draft %r arrived while draft %s waits; asking again.",
            named,
            draft.digest,
        )
    raise AssertionError("unreachable")  # pragma: no cover


def expired(state: State) -> bool:
    """Whether a run ended because nobody decided in time.

    Prefect's server itself fails a run whose pause timed out, with this message; the flow
    cannot give that state a name of its own.
    """
    return state.is_failed() and "never resumed" in (state.message or "")


def decide(
    flow_run_id: UUID | str, decision: str, notes: str = "", draft: str | None = None
) -> str:
    """Resume a waiting run with a decision on its draft; returns that draft's digest.

    With `draft` (the digest of the draft the reviewer saw), the decision only counts while
    the run waits on that very draft: otherwise DraftReplaced, and nothing is decided.
    Without it, the decision is on whichever draft waits now (an operator's
    `editorbot approve RUN`). Raises NotWaiting if the run is not paused.
    """
    Approval(decision=decision, notes=notes)  # validate before touching the run
    run_id = UUID(str(flow_run_id))
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(run_id).state
        if state is not None and state.is_paused():
            waiting = waiting_draft(state)
            if draft is not None and draft != waiting:
                raise DraftReplaced(
                    f"Run {run_id} waits on another draft than this one; decide on the newest."
                )
            # A gate from before digests (waiting None) takes the decision without one: the
            # resumed run then drafts with a digest, finds no answer for it, and asks again.
            answer = Approval(decision=decision, notes=notes, draft=waiting or "")
            # Approvers race (chat, CLI, UI): the server resumes a paused run once and
            # answers the others ABORT, which Prefect's own resume_flow_run passes over in
            # silence; only an accepted resume means this decision is the one taken.
            run_input = answer.model_dump(include={"decision", "notes", "draft"})
            response = resume_once_open(client, run_id, run_input)
            if response.status == SetStateStatus.ACCEPT:
                return answer.draft
            state = client.read_flow_run(run_id).state
    shown = state.name if state else "unknown"
    raise NotWaiting(f"Run {run_id} is not waiting for approval; it is {shown}.")


def resume_once_open(
    client: SyncPrefectClient, run_id: UUID, run_input: dict
) -> OrchestrationResult:
    """Resume a paused run with `run_input`, waiting up to GATE_OPENING_S for its form.

    Returns the server's last answer; the caller reads whether it was accepted.
    """
    response = client.resume_flow_run(run_id, run_input=run_input)
    opened_by = time.monotonic() + GATE_OPENING_S
    while _gate_opening(response) and time.monotonic() < opened_by:
        time.sleep(0.2)
        response = client.resume_flow_run(run_id, run_input=run_input)
    return response


def _gate_opening(response) -> bool:
    """Whether the server refused a decision only because the gate's form is not saved yet."""
    details = response.details
    return (
        response.status == SetStateStatus.REJECT
        and getattr(details, "reason", None) == _SCHEMA_NOT_SAVED_YET
    )
