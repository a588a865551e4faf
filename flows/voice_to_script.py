"""The flow: one voice note in, one approved script out (or a clear reason why not)."""

import os
import socket
from itertools import count

from prefect import flow, get_run_logger
from prefect.states import Completed, Failed, State

from editorbot.errors import EditorBotError
from editorbot.logs import run_key_bound
from editorbot.redaction import redacting_errors
from editorbot.schemas import (
    ChatTarget,
    RunOptions,
    RunOutcome,
    Script,
    StoredAudio,
    Transcript,
    typed_text,
)
from editorbot.settings import get_settings
from flows.approval import expired, gate_reached, request_approval
from flows.previews import previews_end_first, request_preview
from flows.runs import PUBLISHED, VIDEO_FAILED
from flows.stages import draft, hear, tell
from tasks.export_timeline import export_timeline
from tasks.notify import (
    Expired,
    Published,
    Rejected,
    Step,
    VideosReady,
    notify,
    report_failure,
)
from tasks.plan_render import plan_render
from tasks.publish import publish
from tasks.render_video import render_video

# The news that invites the creator to send the note again (a rejection, an expired gate, a
# failure) is told from these hooks, which Prefect runs once the run's final state is
# recorded: by the time the creator reads it, the bot takes a resend as a new note.


def _tell_failure(flow, flow_run, state: State) -> None:
    """On failure, tell the chat why: the sentence for a user's error, a pointer for ours."""
    chat = flow_run.parameters.get("chat")
    # A missing video after publishing: the flow itself has told the chat.
    if not chat or state.name == VIDEO_FAILED:
        return
    if expired(state):  # failed by the server, not by a step
        notify.fn(ChatTarget.model_validate(chat), Expired())
        return
    error = state.result(raise_on_failure=False)
    reason = (
        str(error)
        if isinstance(error, EditorBotError)
        else f"something went wrong on our side (run {flow_run.id}); please try again later."
    )
    report_failure(ChatTarget.model_validate(chat), reason)


def _tell_rejection(flow, flow_run, state: State) -> None:
    """Once a run ended rejected, tell the chat that nothing was published, and why."""
    chat = flow_run.parameters.get("chat")
    outcome = state.result(raise_on_failure=False)
    if chat and isinstance(outcome, RunOutcome) and outcome.decision == "reject":
        notify.fn(ChatTarget.model_validate(chat), Rejected(notes=outcome.notes))


def _preview(
    chat: ChatTarget | None,
    script: Script,
    transcript: Transcript | None,
    cleaned: StoredAudio | None,
    run_key: str,
    revision: int,
    digest: str,
) -> None:
    """Ask for the draft's preview, which follows the draft's text and buttons in the chat;
    the gate waits neither for its render nor for its failure."""
    if gate_reached(revision, digest):
        return  # resumed from this draft's gate: its preview was asked for the first time
    planned = plan_render(script, transcript, cleaned, run_key, return_state=True)
    if planned.is_completed():
        request_preview(planned.result(), run_key, revision, chat)


def _videos(
    chat: ChatTarget | None,
    script: Script,
    transcript: Transcript | None,
    cleaned: StoredAudio | None,
    options: RunOptions,
    run_key: str,
) -> tuple[list[str], list[str]]:
    """Render the asked formats of the approved draft's plan (cached from its preview), one
    task each, and the timeline; the keys written and the formats that failed."""
    tell(chat, Step(step="rendering"))
    planned = plan_render(script, transcript, cleaned, run_key, return_state=True)
    if not planned.is_completed():
        tell(chat, VideosReady(videos={}, duration_s=0, failed=options.formats))
        return [], list(options.formats)
    plan = planned.result()
    states = {fmt: render_video(plan, fmt, run_key, return_state=True) for fmt in options.formats}
    rendered = {fmt: state.result() for fmt, state in states.items() if state.is_completed()}
    failed = [fmt for fmt in options.formats if fmt not in rendered]
    keys = [key for written in rendered.values() for key in written]
    if rendered:
        timeline = export_timeline(plan, rendered, run_key, return_state=True)
        if timeline.is_completed():
            keys.append(timeline.result())
    videos = {fmt: written[0] for fmt, written in rendered.items()}
    tell(chat, VideosReady(videos=videos, duration_s=plan.duration_s, failed=failed))
    return keys, failed


@flow(name="voice-to-script", on_failure=[_tell_failure], on_completion=[_tell_rejection])
@redacting_errors
def voice_to_script(
    source: str, run_key: str, options: RunOptions | None = None, chat: ChatTarget | None = None
) -> State:
    """Transcribe, mediate and structure a note, then wait for a reviewer before publishing.

    `source` is a path, `telegram:<file_id>`, or `text:<words>` for a typed note, which has
    nothing to transcribe and starts at mediation.
    """
    # Which process ran each segment: a runner's child, or `editorbot serve --run-in threads`.
    get_run_logger().info("Running in process %d on %s", os.getpid(), socket.gethostname())
    # Every line logged from here on, ours and Prefect's task runs', carries the run key.
    with run_key_bound(run_key), previews_end_first():
        return _steps(source, run_key, options or RunOptions(), chat)


def _steps(source: str, run_key: str, options: RunOptions, chat: ChatTarget | None) -> State:
    """The steps and the approval loop of `voice_to_script`."""
    settings = get_settings()
    text, language = typed_text(source), options.language
    transcript = cleaned = None
    if text is None:
        heard = hear(source, run_key, options.language, chat)
        transcript, cleaned = heard.transcript, heard.cleaned
        text, language = transcript.text, transcript.language

    notes: list[str] = []
    for revision in count():
        drafted = draft(
            text, language, options.dialect, options.template, run_key, revision, notes, chat
        )
        script, keys = drafted.script, drafted.draft
        _preview(chat, script, transcript, cleaned, run_key, revision, keys.digest)
        approval = request_approval(
            keys, run_key, revision, settings.approval_timeout_s, settings.approval_poll_s
        )
        if approval is None:
            # Prefect's server fails a run whose pause timed out; the name says why.
            return Failed(name="Expired", message="Nobody decided in time; nothing was published.")
        if approval.decision == "reject":
            outcome = RunOutcome(
                run_key=run_key, decision="reject", revisions=revision, notes=approval.notes
            )
            return Completed(
                name="Rejected",
                message=f"Rejected: {approval.notes or 'no reason given'}",
                data=outcome,
            )
        if approval.decision == "approve":
            # The approval names the draft it was given on (request_approval saw to that), and
            # publish checks that digest against the draft in storage once more.
            published = publish(run_key, approval.draft)
            tell(chat, Published(run_key=run_key))
            videos, failed = _videos(chat, script, transcript, cleaned, options, run_key)
            outcome = RunOutcome(
                run_key=run_key,
                decision="approve",
                revisions=revision,
                published=published + videos,
            )
            if failed:
                # Published stays published; the run fails so `editorbot replay` finds it and
                # renders only what is missing (the rest comes from the cache).
                return Failed(
                    name=VIDEO_FAILED,
                    message=f"Published {published[0]}, but the {', '.join(failed)} video "
                    "could not be rendered; replay the run to render it.",
                    data=outcome,
                )
            return Completed(name=PUBLISHED, message=f"Published {published[0]}", data=outcome)
        notes.append(approval.notes)
    raise AssertionError("unreachable")  # pragma: no cover
