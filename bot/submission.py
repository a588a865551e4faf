"""The seam between the bot and Prefect: submit a note once, get its flow run's id."""

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from uuid import UUID

from editorbot.schemas import ChatTarget, RunOptions
from flows.local_run import LocalRun
from flows.runs import note_tag, runs_tagged, user_tag


@dataclass(frozen=True)
class Note:
    """A note to turn into a script, as the bot received it."""

    source: str
    """`telegram:<file_id>` for audio, `text:<words>` for a typed idea."""
    note_key: str
    """What makes the note itself unique: Telegram's file_unique_id, or the typed message."""
    run_key: str
    chat: ChatTarget
    options: RunOptions


@dataclass(frozen=True)
class Submitted:
    run_id: UUID
    duplicate: bool
    """True when the note already had a run, which is returned instead of a new one."""


class Submission(ABC):
    """Submits each note once, ever: a note sent again gets the run it already has.

    LocalSubmission runs the flows in the bot's process; DeploymentSubmission queues them
    for the service stack. Handlers only call `submit`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.runs: dict[UUID, LocalRun] = {}
        """The runs executing in this process (none when a runner executes them)."""

    def submit(self, note: Note) -> Submitted:
        """Start the note's run, or return the run it already has."""
        # The note's tag is the key; the lock makes look-up-then-create atomic within this
        # process (the only one submitting).
        with self._lock:
            existing = existing_run(note)
            if existing is not None:
                return Submitted(existing, duplicate=True)
            return Submitted(self._start(note, note_tags(note)), duplicate=False)

    @abstractmethod
    def _start(self, note: Note, tags: list[str]) -> UUID:
        """Create the note's run; its id."""


class LocalSubmission(Submission):
    """Runs each note's flow in this process with LocalRun."""

    def _start(self, note: Note, tags: list[str]) -> UUID:
        run = LocalRun(note.source, note.run_key, note.options, chat=note.chat, tags=tags)
        self.runs[run.id] = run
        return run.id


class DeploymentSubmission(Submission):
    """Queues each note on the served `voice-to-script` deployment (`editorbot serve`).

    Runs then outlive the bot: a draft waiting for approval holds no process anywhere.
    """

    def _start(self, note: Note, tags: list[str]) -> UUID:
        from flows.serve import submit

        # The server's idempotency key guards against a second bot process too.
        run = submit(
            note.source, note.run_key, note.options, note.note_key, chat=note.chat, tags=tags
        )
        return run.id


def note_tags(note: Note) -> list[str]:
    """The note's tag (its identity), then its creator's."""
    tags = [note_tag(note.note_key)]
    if note.chat.user_id is not None:
        tags.append(user_tag(note.chat.user_id))
    return tags


def existing_run(note: Note) -> UUID | None:
    """The note's run, if it has one (the oldest, should two processes have raced)."""
    runs = runs_tagged(note_tag(note.note_key), limit=1, oldest_first=True)
    return runs[0].id if runs else None
