"""Run the flow in this process while this process also watches it and answers its gate."""

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import FlowRun
from prefect.client.schemas.sorting import TaskRunSort
from prefect.flow_engine import run_flow
from prefect.settings import temporary_settings
from prefect.states import State

from editorbot.schemas import ChatTarget, RunOptions
from flows.approval import decide, waiting_draft
from flows.results import result_storage_settings
from flows.run_locks import run_lock
from flows.runs import run_tags, settled
from flows.transcription_limit import ensure_render_limit, ensure_transcription_limit
from flows.voice_to_script import voice_to_script


class LocalRun:
    """One flow run executing in a background thread, observed through the Prefect API."""

    def __init__(
        self,
        source: str,
        run_key: str,
        options: RunOptions,
        chat: ChatTarget | None = None,
        tags: Iterable[str] = (),
    ) -> None:
        # Resolved before the run exists, and here, not in the thread: errors reach the caller.
        self._result_storage = result_storage_settings()
        parameters = {"source": source, "run_key": run_key, "options": options}
        if chat is not None:
            parameters["chat"] = chat
        with get_client(sync_client=True) as client:
            flow_run = client.create_flow_run(
                voice_to_script,
                parameters=parameters,
                tags=run_tags(run_key, *tags),
            )
        self._begin(flow_run, parameters)

    @classmethod
    def again(cls, flow_run: FlowRun) -> "LocalRun":
        """Execute an existing run (one set back to scheduled by `replay`) here."""
        run = cls.__new__(cls)
        run._result_storage = result_storage_settings()
        run._begin(flow_run, flow_run.parameters)
        return run

    def _begin(self, flow_run: FlowRun, parameters: dict) -> None:
        # Several notes run side by side in one process too (the bot): one transcription at
        # a time keeps a laptop usable. A limit `editorbot serve` already sized is kept.
        ensure_transcription_limit(1, resize=False)
        ensure_render_limit()
        self.flow_run, self.parameters = flow_run, parameters
        self._final: State | None = None
        self._seen: dict[UUID, str] = {}
        # Held while this process executes the run: if the process dies, the next
        # `editorbot` command finds the lock free and marks the run Crashed (run_locks.py).
        self._lock = contextlib.ExitStack()
        self._lock.enter_context(run_lock(flow_run.id))
        self._thread = threading.Thread(target=self._execute, name="voice-to-script", daemon=True)
        self._thread.start()

    @property
    def id(self) -> UUID:
        return self.flow_run.id

    def _execute(self) -> None:
        with self._lock, temporary_settings(updates=self._result_storage):
            self._final = run_flow(
                voice_to_script,
                flow_run=self.flow_run,
                parameters=self.parameters,
                return_type="state",
            )

    def watch(
        self, on_step: Callable[[str, str], None] = lambda name, state: None, poll_s: float = 0.5
    ) -> State:
        """Block until the run is paused or over; report each task's state changes on the way.

        Once the run is over, its last steps are reported as the server records them: until
        its task runs have read the same for TASK_RUNS_SETTLE_S.
        """
        seen = self._seen
        with get_client(sync_client=True) as client:

            def report_steps() -> dict[UUID, str]:
                for task_run in client.read_task_runs(
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[self.id])),
                    sort=TaskRunSort.EXPECTED_START_TIME_ASC,
                ):
                    if task_run.state and seen.get(task_run.id) != task_run.state.name:
                        seen[task_run.id] = task_run.state.name
                        on_step(task_run.name, task_run.state.name)
                return dict(seen)

            while True:
                state = client.read_flow_run(self.id).state
                report_steps()
                if state and state.is_paused():
                    return state
                if state and state.is_final() and not self._thread.is_alive():
                    settled(report_steps)
                    return self._final or state
                time.sleep(poll_s)

    def is_paused(self) -> bool:
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(self.id).state
        return bool(state and state.is_paused())

    def waiting_draft(self) -> str | None:
        """The digest of the draft the run waits on at its gate now, or None when not waiting."""
        with get_client(sync_client=True) as client:
            return waiting_draft(client.read_flow_run(self.id).state)

    def decide(self, decision: str, notes: str = "", draft: str | None = None) -> str:
        """Decide the waiting draft (only draft `draft`, when given); returns its digest."""
        return decide(self.id, decision, notes, draft)

    def result(self, timeout: float | None = None) -> State:
        """The final state, once the run is over."""
        self._thread.join(timeout)
        if self._final is None:
            raise TimeoutError(f"run {self.id} is still going")
        return self._final
