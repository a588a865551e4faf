"""How the CLI, the bot, the benchmarks and the tests find runs: tags, lists, waits.

Every run carries the `editorbot` tag and `run-key:<run key>`; a note from the bot also
carries `note:<what makes the note unique>` (its identity: one run per note) and
`user:<Telegram user id>` (whose it is).
"""

import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterStartTime,
    FlowRunFilterState,
    FlowRunFilterStateType,
    FlowRunFilterTags,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.sorting import FlowRunSort
from prefect.exceptions import FlowRunWaitTimeout, ObjectNotFound
from prefect.flow_runs import wait_for_flow_run
from prefect.states import State
from prefect.utilities.asyncutils import run_coro_as_sync

PRODUCT_TAG = "editorbot"
PUBLISHED = "Published"
"""The name of the state a run ends in once its approved script is published."""
VIDEO_FAILED = "VideoFailed"
"""The state of a run whose script is published but a video is missing; replay renders it."""
_RUN_KEY, _NOTE, _USER = "run-key:", "note:", "user:"
T = TypeVar("T")
TASK_RUNS_SETTLE_S = 1.5
"""How long a run's task runs must read the same before they count as all recorded.

The server records task runs from the events a run sends, in batches flushed once a second
(compose.yaml), so a run that has just ended may not show its last steps yet.
"""


def settled(
    read: Callable[[], T],
    key: Callable[[T], object] = lambda value: value,
    settle_s: float = TASK_RUNS_SETTLE_S,
    timeout_s: float = 60,
) -> T:
    """What `read()` returns once its `key` has stayed the same for `settle_s` (or at
    `timeout_s`)."""
    last = read()
    since = time.monotonic()
    deadline = since + timeout_s
    while time.monotonic() - since < settle_s and time.monotonic() < deadline:
        time.sleep(0.25)
        now = read()
        if key(now) != key(last):
            since = time.monotonic()
        last = now
    return last


def note_tag(note_key: str) -> str:
    """The tag that makes a note's run findable by the note, so it never runs twice."""
    return f"{_NOTE}{note_key}"


def user_tag(user_id: int) -> str:
    """The tag of every run a Telegram user submitted."""
    return f"{_USER}{user_id}"


def run_tags(run_key: str, *more: str) -> list[str]:
    """The tags of a new run: the product's, its run key's, then `more` (a note's, a user's)."""
    return [PRODUCT_TAG, f"{_RUN_KEY}{run_key}", *more]


def run_key_of(run: FlowRun) -> str | None:
    """The run key a run was tagged with, if any."""
    return next((t.removeprefix(_RUN_KEY) for t in run.tags if t.startswith(_RUN_KEY)), None)


def runs_tagged(
    *tags: str,
    limit: int | None = None,
    oldest_first: bool = False,
    state_types: Iterable[StateType] = (),
    started_after: datetime | None = None,
) -> list[FlowRun]:
    """Runs carrying every one of `tags`, newest first unless `oldest_first`."""
    conditions = {"tags": FlowRunFilterTags(all_=list(tags))}
    if state_types:
        conditions["state"] = FlowRunFilterState(
            type=FlowRunFilterStateType(any_=list(state_types))
        )
    if started_after is not None:
        conditions["start_time"] = FlowRunFilterStartTime(after_=started_after)
    order = FlowRunSort.EXPECTED_START_TIME_DESC
    if oldest_first:
        order = FlowRunSort.EXPECTED_START_TIME_ASC
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            flow_run_filter=FlowRunFilter(**conditions), sort=order, limit=limit
        )


def run_has_tag(run_id: UUID, tag: str) -> bool:
    """Whether the run exists and carries `tag`."""
    with get_client(sync_client=True) as client:
        try:
            return tag in client.read_flow_run(run_id).tags
        except ObjectNotFound:
            return False


class RunEnded(RuntimeError):
    """The run ended in a state other than the one waited for."""


def wait_for_state(
    run_id: UUID, done: Callable[[State], bool], timeout_s: float = 240, poll_s: float = 0.25
) -> State:
    """Poll until the run's state satisfies `done` (a gate, a step): the state.

    Raises RunEnded when the run ends first, TimeoutError after `timeout_s`. For the end of
    a run, `wait_for_end` listens to the server's events instead of polling.
    """
    deadline, state = time.monotonic() + timeout_s, None
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            state = client.read_flow_run(run_id).state
            if state is not None and done(state):
                return state
            if state is not None and state.is_final():
                raise RunEnded(f"run {run_id} ended {state.name}: {state.message}")
            time.sleep(poll_s)
    raise TimeoutError(f"run {run_id} is still {state.name if state else 'without a state'}")


def wait_for_end(run_id: UUID, timeout_s: float = 240) -> State:
    """The run's final state, once it has one: Prefect's `wait_for_flow_run`, which listens to
    the server's events. Raises TimeoutError after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    try:
        run = run_coro_as_sync(wait_for_flow_run(run_id, timeout=max(1, int(timeout_s))))
    except FlowRunWaitTimeout:
        raise TimeoutError(f"run {run_id} has not ended after {timeout_s:.0f} s") from None
    if run.state is not None and run.state.is_final():
        return run.state
    # Prefect's event subscription replays the run's recent events, so a final state the run
    # left when it was replayed (Crashed, Failed) ends that wait early: poll for the rest.
    return wait_for_state(run_id, State.is_final, max(deadline - time.monotonic(), 1.0))
