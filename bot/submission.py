"""The seam between the bot and Prefect: submit a note once, get its flow run's id."""

import threading
from dataclasses import dataclass
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags
from prefect.client.schemas.sorting import FlowRunSort

from editorbot.schemas import ChatTarget, RunOptions
from flows.local_run import LocalRun


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


def note_tag(note_key: str) -> str:
    return f"note:{note_key}"


def user_tag(user_id: int) -> str:
    return f"user:{user_id}"


class LocalSubmission:
    """Runs each note's flow in this process with LocalRun; one run per note, ever.

    DeploymentSubmission is the same seam for the service stack; handlers only call `submit`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.runs: dict[UUID, LocalRun] = {}

    def submit(self, note: Note) -> Submitted:
        """Start the note's run, or return the run it already has."""
        tags = run_tags(note)
        # LocalRun has no server-side idempotency: the note's tag is the key, and the lock
        # makes look-up-then-create atomic within this process (the only one submitting).
        with self._lock:
            existing = existing_run(tags[0])
            if existing is not None:
                return Submitted(existing, duplicate=True)
            run = LocalRun(note.source, note.run_key, note.options, chat=note.chat, tags=tags)
            self.runs[run.id] = run
            return Submitted(run.id, duplicate=False)


class DeploymentSubmission:
    """Queues each note on the served `voice-to-script` deployment (`editorbot serve`).

    Runs then outlive the bot: a draft waiting for approval holds no process anywhere.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.runs: dict[UUID, LocalRun] = {}  # none: the runner executes them

    def submit(self, note: Note) -> Submitted:
        """Queue the note's run, or return the run it already has."""
        from flows.serve import submit

        tags = run_tags(note)
        with self._lock:
            existing = existing_run(tags[0])
            if existing is not None:
                return Submitted(existing, duplicate=True)
            # The server's idempotency key guards against a second bot process too.
            run = submit(
                note.source, note.run_key, note.options, note.note_key, chat=note.chat, tags=tags
            )
            return Submitted(run.id, duplicate=False)


def run_tags(note: Note) -> list[str]:
    """The note's tag first (its identity), then its creator's."""
    tags = [note_tag(note.note_key)]
    if note.chat.user_id is not None:
        tags.append(user_tag(note.chat.user_id))
    return tags


def existing_run(tag: str) -> UUID | None:
    """The oldest run carrying `tag`, if any."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[tag])),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC,
            limit=1,
        )
    return runs[0].id if runs else None
