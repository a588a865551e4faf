"""The flow: one voice note in, one approved script out (or a clear reason why not)."""

from itertools import count

from prefect import flow
from prefect.states import Completed, Failed, State

from editorbot.schemas import RunOptions, RunOutcome
from editorbot.settings import get_settings
from flows.approval import request_approval
from tasks.download import download
from tasks.mediate import mediate
from tasks.normalize_audio import normalize_audio
from tasks.publish import publish
from tasks.save_draft import save_draft
from tasks.structure import structure
from tasks.transcribe import transcribe
from tasks.write_subtitles import write_subtitles


@flow(name="voice-to-script")
def voice_to_script(source: str, run_key: str, options: RunOptions | None = None) -> State:
    """Transcribe, mediate and structure a note, then wait for a reviewer before publishing."""
    options = options or RunOptions()
    settings = get_settings()
    raw = download(source, run_key)
    cleaned = normalize_audio(raw, run_key)
    transcript = transcribe(cleaned, options.language)
    write_subtitles(transcript, run_key)

    notes: list[str] = []
    for revision in count():
        mediated = mediate(transcript.text, options.dialect, notes)
        script = structure(
            mediated, options.template, run_key, transcript.language, revision, notes
        )
        draft = save_draft(script, mediated, run_key)
        approval = request_approval(
            draft, run_key, revision, settings.approval_timeout_s, settings.approval_poll_s
        )
        if approval is None:
            # Prefect's server fails a run whose pause timed out; the name says why.
            return Failed(name="Expired", message="Nobody decided in time; nothing was published.")
        if approval.decision == "reject":
            outcome = RunOutcome(run_key=run_key, decision="reject", revisions=revision)
            return Completed(
                name="Rejected",
                message=f"Rejected: {approval.notes or 'no reason given'}",
                data=outcome,
            )
        if approval.decision == "approve":
            published = publish(draft, run_key)
            outcome = RunOutcome(
                run_key=run_key, decision="approve", revisions=revision, published=published
            )
            return Completed(name="Published", message=f"Published {published[0]}", data=outcome)
        notes.append(approval.notes)
    raise AssertionError("unreachable")  # pragma: no cover
