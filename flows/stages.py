"""The two stages before the gate, each one task around its steps: what a resumed run replays.

A run suspended at the gate holds no thread or process; the decision reruns the flow from the
top. Step by step, that replay was a dozen cached task runs per note (each one a task run and
its events on the server, and a result read), in the middle of a burst of new notes. Each
stage is cached once per run, so a resumed run replays one task run per stage instead, and
the steps inside keep their own retries, caches and states in the UI.

A stage's cache key holds everything its steps' keys hold beyond their inputs (the Whisper or
text engine, the storage): a resumed run whose settings changed enters the stage again and
each step decides, as before, whether it runs. Only the stage's own source is in its key: a
deploy that changes a step inside it does not redraft a waiting run, so the draft a reviewer
approved is the one published (publish checks its digest against storage all the same). A
stage that failed or was cut off is not cached: a replayed run enters it again and its
finished steps come from their own caches.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from prefect import task
from prefect.cache_policies import INPUTS, RUN_ID, TASK_SOURCE
from prefect.transactions import CommitMode, transaction
from pydantic import BaseModel

from editorbot.redaction import redacting_errors
from editorbot.schemas import ChatTarget, DraftKeys, Script, StoredAudio, Transcript
from flows.run_cancellation import stop_if_cancelled
from tasks.cache_policies import StorageTarget, TextEngineConfig, WhisperConfig
from tasks.download import download
from tasks.mediate import mediate
from tasks.normalize_audio import normalize_audio
from tasks.notify import DraftReady, Event, Step, notify
from tasks.save_draft import save_draft
from tasks.structure import structure
from tasks.transcribe import transcribe
from tasks.write_subtitles import write_subtitles

ONCE_PER_RUN = INPUTS + TASK_SOURCE + RUN_ID + StorageTarget()


def tell(chat: ChatTarget | None, event: Event) -> None:
    """Report to the creator's chat when the run came from one (the CLI has none)."""
    # Every step is told before it starts: where a run cancelled while a thread of
    # `editorbot serve` runs it stops (a runner kills a run's process instead).
    stop_if_cancelled()
    if chat is not None:
        # A chat we cannot reach (blocked bot, Telegram down) must not stop the run: the
        # draft still waits at the gate, where the Prefect UI and the CLI can decide it.
        notify(chat, event, return_state=True)


@contextmanager
def each_step_kept_at_once() -> Iterator[None]:
    """Within this block, each step's result is stored as soon as the step ends.

    A task called inside a task joins its transaction, and Prefect stores the inner results
    only when the outer one commits: a run killed mid-stage would lose every step it had
    finished in that stage (a download, a transcript) and redo them on replay.
    """
    with transaction(commit_mode=CommitMode.EAGER):
        yield


class Heard(BaseModel):
    """A spoken note, heard: its cleaned audio and what was said in it."""

    cleaned: StoredAudio
    transcript: Transcript


class Drafted(BaseModel):
    """One revision's script, stored as a draft and shown in the chat."""

    script: Script
    draft: DraftKeys


@task(name="hear", persist_result=True, cache_policy=ONCE_PER_RUN + WhisperConfig())
@redacting_errors
def hear(source: str, run_key: str, language: str | None, chat: ChatTarget | None) -> Heard:
    """Download, normalize and transcribe the note, and write its subtitles."""
    with each_step_kept_at_once():
        tell(chat, Step(step="downloading"))
        raw = download(source, run_key)
        cleaned = normalize_audio(raw, run_key)
        tell(chat, Step(step="transcribing"))
        transcript = transcribe(cleaned, language, chat)
        write_subtitles(transcript, run_key)
    return Heard(cleaned=cleaned, transcript=transcript)


@task(name="draft", persist_result=True, cache_policy=ONCE_PER_RUN + TextEngineConfig())
@redacting_errors
def draft(
    text: str,
    language: str,
    dialect: str,
    template: str,
    run_key: str,
    revision: int,
    notes: list[str],
    chat: ChatTarget | None,
) -> Drafted:
    """Mediate the text, structure it into beats, store the draft and send it to the chat."""
    with each_step_kept_at_once():
        tell(chat, Step(step="mediating", revision=revision))
        mediated = mediate(text, dialect, notes)
        tell(chat, Step(step="structuring", revision=revision))
        script = structure(mediated, template, run_key, language, revision, notes)
        keys = save_draft(script, mediated, run_key)
        tell(chat, DraftReady(draft=keys, revision=revision))
    return Drafted(script=script, draft=keys)
