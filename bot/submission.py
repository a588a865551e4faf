"""The seam between the bot and Prefect: submit a note once, get its flow run's id."""

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from uuid import UUID

from prefect.client.schemas.objects import FlowRun

from editorbot.schemas import ChatTarget, RunOptions
from editorbot.storage import configured_storage, script_key
from flows.local_run import LocalRun
from flows.recovery import close_superseded
from flows.replay import schedule_replay
from flows.runs import PUBLISHED, VIDEO_FAILED, note_tag, run_key_of, runs_tagged, user_tag


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
    published: bool = False
    """For a duplicate: whether that run already published the note's script."""


class Submission(ABC):
    """Submits each note of a user once, while its run goes on or after it published.

    A user's note sent again gets the run it already has if that run is still going or
    published the script; after a run that failed, crashed, expired or was rejected (the
    bot itself then says "send it again") it gets a new run. Another user sending the same
    file (a forwarded note) gets a run of their own.

    LocalSubmission runs the flows in the bot's process; DeploymentSubmission queues them
    for the service stack. Handlers only call `submit`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.runs: dict[UUID, LocalRun] = {}
        """The runs executing in this process (none when a runner executes them)."""

    def submit(self, note: Note) -> Submitted:
        """Start the note's run, or return the run that still stands for it."""
        tags = note_tags(note)
        # The note's and user's tags are the key; the lock makes look-up-then-create atomic
        # within this process (a second bot process is the server's idempotency key's job).
        with self._lock:
            earlier = runs_tagged(*tags, oldest_first=True)
            standing = next((run for run in earlier if stands(run)), None)
            if standing is not None:
                return Submitted(standing.id, duplicate=True, published=published(standing))
            for run in earlier:
                close_superseded(run.id)  # a crashed one is not resumed as well
            return Submitted(self._start(note, tags, attempt=len(earlier)), duplicate=False)

    @abstractmethod
    def _start(self, note: Note, tags: list[str], attempt: int) -> UUID:
        """Create the note's run (its `attempt`-th: 0 unless earlier runs ended badly); its id."""

    def resume(self, run_id: UUID) -> None:
        """Execute a crashed run again here, from the cache (flows/recovery.py)."""
        run = LocalRun.again(schedule_replay(run_id))
        with self._lock:
            self.runs[run.id] = run


class LocalSubmission(Submission):
    """Runs each note's flow in this process with LocalRun."""

    def _start(self, note: Note, tags: list[str], attempt: int) -> UUID:
        run = LocalRun(note.source, note.run_key, note.options, chat=note.chat, tags=tags)
        self.runs[run.id] = run
        return run.id


class DeploymentSubmission(Submission):
    """Queues each note on the served `voice-to-script` deployment (`editorbot serve`).

    Runs then outlive the bot: a draft waiting for approval holds no process anywhere.
    """

    def _start(self, note: Note, tags: list[str], attempt: int) -> UUID:
        from flows.serve import submit

        # The server's idempotency key guards against a second bot process too: the same
        # user, note and attempt give the same run; a resend after a failure, a new one.
        key = f"{note.note_key}:{note.chat.user_id}:{attempt}"
        run = submit(note.source, note.run_key, note.options, key, chat=note.chat, tags=tags)
        return run.id


def note_tags(note: Note) -> list[str]:
    """The note's tag (its identity), then its creator's."""
    tags = [note_tag(note.note_key)]
    if note.chat.user_id is not None:
        tags.append(user_tag(note.chat.user_id))
    return tags


PUBLISHED_STATES = (PUBLISHED, VIDEO_FAILED)


def published(run: FlowRun) -> bool:
    """Whether the run published its script: it ended so (its videos perhaps still to replay),
    or it goes on rendering the videos of a script it published."""
    if run.state is None:
        return False
    if run.state.is_final():
        return run.state.name in PUBLISHED_STATES
    # The script in scripts/ is the fact, written before the chat hears of it. The server's
    # record of the publish task is not: it records task runs in batches, a second or more
    # behind, and a resend right after "Published" would be told the note is still going.
    run_key = run_key_of(run)
    return run_key is not None and configured_storage().exists(script_key(run_key, "json"))


def stands(run: FlowRun) -> bool:
    """Whether a run still stands for its note: it is going (or waits), or it published."""
    return run.state is None or not run.state.is_final() or published(run)
