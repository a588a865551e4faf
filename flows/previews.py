"""A draft's preview, rendered beside the approval gate so the draft's buttons never wait for it.

Prefect starts no task run of a paused flow run (its server answers Paused "NotReady"), and
the gate pauses the run right after the draft is sent. So the preview's task run belongs to
no flow run: it is started from a context that carries this one's settings (where results
go) and the run's tags, but not the flow run. It keeps what a task has: retries, its state
and logs in the UI (tagged `run-key:<run key>`), its cached result, and the render slot.

Where it runs follows the gate. A deployment's run *suspends* and its process leaves, so the
preview goes to the render worker of `editorbot serve` (`.delay()`, a Prefect task worker in
a thread of the serve process, beside the runner; transcription has its own process). A run
executed in this process (`editorbot process`, `make demo`, the bot's local mode) *pauses*
and its process stays: the preview is rendered in a thread of it, and the run ends only
after its previews did, so a finished run's files are all there.
"""

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from prefect import tags
from prefect.context import hydrated_context, serialize_context
from prefect.runtime import deployment
from prefect.settings import PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW, temporary_settings
from prefect.task_worker import TaskWorker

from editorbot.logs import run_key_bound
from editorbot.schemas import ChatTarget
from editorbot.video.plan import RenderPlan
from flows.results import results_beside_artifacts
from flows.runs import run_tags
from tasks.render_preview import render_preview
from tasks.task_workers import worker_listening

log = logging.getLogger(__name__)

PREVIEW_INTAKE = 16
"""Previews a render worker holds at once; they render one at a time, in the render slot."""

_NO_RUN_LOGS = {PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW: "ignore"}
"""The task run's own lines reach the API; the engine's few lines around it have no run to
go to, by design here, and Prefect would warn about each."""

_in_process: ContextVar[list[threading.Thread] | None] = ContextVar("previews", default=None)


def request_preview(plan: RenderPlan, run_key: str, revision: int, chat: ChatTarget | None) -> None:
    """Have draft `revision`'s preview rendered and sent to the chat, without waiting for it."""
    if deployment.id:
        # The gate will suspend this run and this process will leave: a worker renders it.
        _outside_the_run(
            run_key, lambda: render_preview.delay(plan, run_key, revision, chat)
        ).join()
        if not worker_listening(render_preview):
            log.warning(
                "No render worker is listening: the preview of draft %d waits for one "
                "(`editorbot serve` runs one).",
                revision + 1,
            )
        return
    thread = _outside_the_run(
        run_key, lambda: render_preview(plan, run_key, revision, chat, return_state=True)
    )
    waiting = _in_process.get()
    if waiting is not None:
        waiting.append(thread)


@contextlib.contextmanager
def previews_end_first() -> Iterator[None]:
    """A run executed here ends after the previews it rendered here (none under a deployment)."""
    threads: list[threading.Thread] = []
    token = _in_process.set(threads)
    try:
        yield
    finally:
        _in_process.reset(token)
        for thread in threads:
            thread.join()


def _outside_the_run(run_key: str, call: Callable[[], object]) -> threading.Thread:
    """Start `call` in a thread with this context's settings and the run's tags, and no flow
    or task run: a task run it starts belongs to no flow run."""
    context = serialize_context()
    kept = {key: context[key] for key in ("settings_context", "tags_context")}

    def target() -> None:
        try:
            with (
                hydrated_context(kept),
                temporary_settings(updates=_NO_RUN_LOGS),
                tags(*run_tags(run_key)),
                run_key_bound(run_key),
            ):
                call()
        except Exception:  # the task's own failures are in its state; this is the rest
            log.exception("The preview could not be rendered or handed over")

    thread = threading.Thread(target=target, name="preview", daemon=True)
    thread.start()
    return thread


class RenderWorker:
    """Prefect's task worker for previews, in a thread of `editorbot serve`.

    A thread, not a process like the transcriber: ffmpeg does the work in a process of its
    own, so the worker holds no model and no memory to speak of, and it takes the render
    slot, never the transcription one.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._main: asyncio.Task | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="render-worker", daemon=True)

    def start(self) -> "RenderWorker":
        self._thread.start()
        self._ready.wait(30)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._main is not None:
            self._loop.call_soon_threadsafe(self._main.cancel)
        self._thread.join(30)

    def _run(self) -> None:
        try:
            # Where the runners put the previews' parameters, and where their results go.
            with results_beside_artifacts(), temporary_settings(updates=_NO_RUN_LOGS):
                asyncio.run(self._serve())
        finally:
            self._ready.set()  # a worker that could not start does not hold `start` up

    async def _serve(self) -> None:
        self._loop, self._main = asyncio.get_running_loop(), asyncio.current_task()
        worker = TaskWorker(render_preview, limit=PREVIEW_INTAKE)
        self._ready.set()
        with contextlib.suppress(asyncio.CancelledError):
            await worker.astart()
