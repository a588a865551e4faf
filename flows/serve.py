"""Serve the voice-to-script deployment from this process, and submit runs to it."""

import logging
import math
import signal
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import ClassVar
from uuid import UUID

from prefect import get_client, serve
from prefect.automations import AutomationCore
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterDeploymentId,
    FlowRunFilterId,
    FlowRunFilterNextScheduledStartTime,
    FlowRunFilterState,
    FlowRunFilterStateName,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.responses import SetStateStatus
from prefect.client.schemas.sorting import FlowRunSort
from prefect.deployments import run_deployment
from prefect.deployments.runner import EntrypointType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification
from prefect.events.worker import EventsWorker, should_emit_events
from prefect.exceptions import Abort, Pause
from prefect.logging.loggers import flow_run_logger
from prefect.settings import get_current_settings, temporary_settings
from prefect.states import Cancelled, Pending

from editorbot.schemas import ChatTarget, RunOptions
from flows.previews import RenderWorker
from flows.recovery import keep_recovering_deployment_runs
from flows.results import result_storage_settings, results_beside_artifacts
from flows.run_cancellation import cancel_at_next_step, forget
from flows.runs import PRODUCT_TAG, run_tags
from flows.thread_runs import RESUMING, execute_here
from flows.transcription_limit import ensure_render_limit, ensure_transcription_limit
from flows.voice_to_script import voice_to_script

log = logging.getLogger(__name__)

DEPLOYMENT = "voice-to-script/voice-to-script"
CRASH_SILENT_RUNS = "editorbot: crash runs whose heartbeats stopped"
MISSED_HEARTBEATS = 3
"""A run is declared crashed after this many heartbeats in a row did not arrive."""
THREAD_RUN_SLOTS = 4
"""New notes run at once by `editorbot serve --run-in threads` when --run-slots is not given."""
CANCEL_NOTICED = "Cancelled while a thread runs it: it stops at its next step"
STOP_GRACE_S = 10
"""How long a stopping serve waits for the runs its threads hold before leaving them."""
CANCEL_CHECK_S = 5.0
"""How often a lane asks whether a run it holds was cancelled (the run stops at its next step
anyway). Asked at every 0.5 s poll, a burst of 20 notes read flow runs 1633 times; 727 since."""


def silent_run_automation(heartbeat_s: int) -> AutomationCore:
    """Mark a run Crashed when its heartbeats stop, so it is resumed (flows/recovery.py).

    A runner killed with its flow runs (the VM rebooted, the container killed) leaves them
    Running for ever: nothing else tells the server they are gone. Any later event of the
    run counts as a sign of life, so a run that was suspended at the gate or ended (a
    state event) is never touched.
    """
    return AutomationCore(
        name=CRASH_SILENT_RUNS,
        description="Runs whose process is gone stay Running; this marks them Crashed.",
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"},
            expect={"prefect.flow-run.*"},
            match=ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"}),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=heartbeat_s * MISSED_HEARTBEATS),
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.CRASHED,
                message=f"No heartbeat for {heartbeat_s * MISSED_HEARTBEATS} s: the process "
                "running it is gone. A runner resumes it once from the cache.",
            )
        ],
    )


def ensure_silent_run_automation() -> None:
    """Create or update the automation for this runner's heartbeat frequency."""
    heartbeat_s = get_current_settings().flows.heartbeat_frequency
    if heartbeat_s is None:
        return  # no heartbeats, nothing to watch for
    automation = silent_run_automation(heartbeat_s)
    with get_client(sync_client=True) as client:
        existing = client.read_automations_by_name(CRASH_SILENT_RUNS)
        if existing:
            client.update_automation(existing[0].id, automation)
        else:
            client.create_automation(automation)


class ThreadLane:
    """Runs of the deployment claimed and executed in this process's threads.

    A run is claimed the way Prefect's runner claims one: by proposing Pending, which the
    server accepts once, so each run is claimed by one lane or runner, never two. It runs
    with Prefect's engine in a thread of its own, at most `slots` at once, under the result
    storage settings the runner hands its child processes. Which runs a lane takes is
    `_waiting_runs`'s to say.
    """

    name = "lane"
    executing: ClassVar[set[UUID]] = set()
    """Runs executing in any lane of this process: a run is not claimed again, by this lane or
    another, until its last execution here has ended (flows/thread_runs.py)."""

    def __init__(self, deployment_id: UUID, slots: int, poll_s: float = 0.5) -> None:
        self.deployment_id, self.slots, self.poll_s = deployment_id, slots, poll_s
        self._result_storage = result_storage_settings()
        self._running: set[UUID] = set()
        self._stopping = threading.Event()
        self._cancel_checked_at = -math.inf
        self._thread = threading.Thread(target=self._claim_runs, name=self.name)

    def start(self) -> "ThreadLane":
        self._thread.start()
        return self

    def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Claim no more; give the runs in hand `grace_s` to finish, then leave them.

        A run left behind dies with this process; its heartbeats stop and the automation
        and the recovery sweep resume it once, as when a runner is killed with its children.
        """
        self._stopping.set()
        self._thread.join()
        deadline = time.monotonic() + grace_s
        while self._running and time.monotonic() < deadline:
            time.sleep(0.1)
        if left := sorted(map(str, self._running.copy())):
            log.warning("Stopping with runs in hand, left for recovery: %s", ", ".join(left))

    def _waiting_runs(self, client: SyncPrefectClient, free: int) -> list[FlowRun]:
        """The runs this lane would take now, first first; `free` of them are taken."""
        raise NotImplementedError

    def _claim_runs(self) -> None:
        with get_client(sync_client=True) as client:
            while not self._stopping.wait(self.poll_s):
                free = self.slots - len(self._running)
                try:
                    if (
                        self._running
                        and time.monotonic() - self._cancel_checked_at >= CANCEL_CHECK_S
                    ):
                        self._cancel_checked_at = time.monotonic()
                        self._notice_cancelled(client)
                    for run in self._waiting_runs(client, free)[: max(free, 0)]:
                        if run.id in ThreadLane.executing:
                            continue  # its last execution is still ending (flows/thread_runs.py)
                        claim = client.set_flow_run_state(run.id, Pending())
                        if claim.status == SetStateStatus.ACCEPT:
                            self._start(run.id)
                except Exception:  # the server restarting, say: the next poll tries again
                    log.warning("Could not look for runs to take (%s)", self.name, exc_info=True)

    def _notice_cancelled(self, client: SyncPrefectClient) -> None:
        """Runs in hand cancelled from the UI stop at their next step (a runner kills them)."""
        held = FlowRunFilter(
            id=FlowRunFilterId(any_=list(self._running.copy())),
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.CANCELLING])),
        )
        for run in client.read_flow_runs(flow_run_filter=held):
            if cancel_at_next_step(run.id):
                flow_run_logger(run).info(CANCEL_NOTICED)

    def _start(self, run_id: UUID) -> None:
        self._running.add(run_id)
        ThreadLane.executing.add(run_id)
        # A daemon: a run still in hand when serve exits does not keep the process alive.
        thread = threading.Thread(
            target=self._execute, args=(run_id,), name=f"{self.name}-run", daemon=True
        )
        thread.start()

    def _execute(self, run_id: UUID) -> None:
        try:
            with temporary_settings(updates=self._result_storage):
                execute_here(voice_to_script, run_id)
        except (Pause, Abort):
            pass  # suspended at its gate, or taken by another: the server shows it
        except Exception:  # the flow's own failures end up in its state; this is the rest
            log.exception("The run %s could not be executed here", run_id)
        finally:
            self._running.discard(run_id)
            ThreadLane.executing.discard(run_id)
            forget(run_id)
            _end_cancelled(run_id)


def _end_cancelled(run_id: UUID) -> None:
    """A run cancelled while a thread held it ends Cancelled once its thread lets go.

    A thread cannot be killed: the run stops at its next step (flows/run_cancellation.py)
    or at the gate, which refuses to suspend a Cancelling run; the server keeps it
    Cancelling, and this says Cancelled, as Prefect's runner does after killing a process.
    """
    try:
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(run_id).state
            if state is not None and state.type == StateType.CANCELLING:
                cancelled = Cancelled(message="Cancelled; its thread stopped at its next step.")
                client.set_flow_run_state(run_id, cancelled, force=True)
    except Exception:
        log.warning("Could not end the cancelled run %s", run_id, exc_info=True)


class ResumptionLane(ThreadLane):
    """Runs resumed by a decision, executed in this process's threads, beside new notes.

    A suspended run that a decision reschedules needs a runner slot like a new note, and in
    a burst every slot is held by notes waiting for the transcriber: the approval would wait
    behind all of them. The lane takes resumed runs in up to `slots` threads of their own.
    A resumed run only replays cached steps and publishes: no new process, no model.
    """

    name = "resumptions"

    def _waiting_runs(self, client: SyncPrefectClient, free: int) -> list[FlowRun]:
        if free <= 0:
            return []
        resumed = FlowRunFilter(
            deployment_id=FlowRunFilterDeploymentId(any_=[self.deployment_id]),
            state=FlowRunFilterState(name=FlowRunFilterStateName(any_=[RESUMING])),
        )
        return client.read_flow_runs(
            flow_run_filter=resumed, sort=FlowRunSort.EXPECTED_START_TIME_ASC, limit=free
        )


class NoteLane(ThreadLane):
    """Every scheduled run of the deployment (new notes, replays), in this process's threads.

    `editorbot serve --run-in threads` uses it instead of Prefect's runner, which starts a
    process per run. It looks for runs every 0.5 s, as the resumption lane does: at the
    runner's 2 s poll the wait for it was the largest cost of a served note over the steps
    themselves (bench/README.md). Each `ready_every_s` it asks with the runner's own call
    instead, which also keeps the deployment marked ready on the server (a write; the plain
    read in between is not), even with every slot taken.
    """

    name = "notes"

    def __init__(self, deployment_id: UUID, slots: int, ready_every_s: float) -> None:
        super().__init__(deployment_id, slots)
        self.ready_every_s = ready_every_s
        self._ready_marked_at = -ready_every_s

    def _waiting_runs(self, client: SyncPrefectClient, free: int) -> list[FlowRun]:
        now = datetime.now(UTC)
        if time.monotonic() - self._ready_marked_at >= self.ready_every_s:
            self._ready_marked_at = time.monotonic()
            return client.get_scheduled_flow_runs_for_deployments(
                deployment_ids=[self.deployment_id], scheduled_before=now, limit=max(free, 1)
            )
        if free <= 0:
            return []
        due = FlowRunFilter(
            deployment_id=FlowRunFilterDeploymentId(any_=[self.deployment_id]),
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])),
            next_scheduled_start_time=FlowRunFilterNextScheduledStartTime(before_=now),
        )
        return client.read_flow_runs(
            flow_run_filter=due, sort=FlowRunSort.NEXT_SCHEDULED_START_TIME_ASC, limit=free
        )


def serve_voice_to_script(
    transcription_slots: int = 1,
    max_runs: int | None = None,
    resume_slots: int = 16,
    run_in: str = "processes",
) -> None:
    """Register the deployment and execute its runs here until interrupted.

    New notes (and replays) run in processes the runner starts, at most `max_runs` at once,
    or with `run_in="threads"` in this process's threads (`NoteLane`, `max_runs` of them,
    THREAD_RUN_SLOTS by default); runs resumed by a decision run in this process, at most
    `resume_slots` at once (threads that mostly wait for the render slot: an approved run
    publishes, then renders), so an approval never waits for a slot behind new notes;
    drafts' previews render in this process too (flows/previews.py).
    """
    # Prefect's events worker fills in an event's missing run from the context of whoever
    # started it. Started by a run executing in a thread here, it filed every later event of
    # no run (a preview's task run, rendered in this process) under that run; started here,
    # outside any run, it files them under none.
    if should_emit_events():
        EventsWorker.instance()
    ensure_transcription_limit(transcription_slots)
    ensure_render_limit()
    ensure_silent_run_automation()
    deployment = voice_to_script.to_deployment(
        name="voice-to-script",
        tags=[PRODUCT_TAG],
        description="One voice note to one approved script.",
        # Import by module path: the runner's child processes find the installed package.
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    # Started first, it listens long before a note gets to a draft (a preview handed over
    # before it does waits in the server's queue for it).
    renders = RenderWorker().start()
    deployment_id = deployment.apply()
    lane = ResumptionLane(deployment_id, resume_slots).start() if resume_slots else None
    # A run whose process died is resumed once; it is this runner's or any other's to run.
    stop = threading.Event()
    threading.Thread(
        target=keep_recovering_deployment_runs, args=(stop,), name="recovery", daemon=True
    ).start()
    try:
        if run_in == "threads":
            _run_notes_in_threads(deployment_id, max_runs or THREAD_RUN_SLOTS)
        else:
            # The runner hands these settings to each flow-run process it starts.
            with results_beside_artifacts():
                serve(deployment, limit=max_runs, print_starting_message=False)
    finally:
        stop.set()
        if lane is not None:
            lane.stop()
        renders.stop()


def _run_notes_in_threads(deployment_id: UUID, slots: int) -> None:
    """Take the deployment's scheduled runs in this process's threads until SIGTERM or SIGINT."""
    notes = NoteLane(deployment_id, slots, get_current_settings().runner.poll_frequency)
    stopping = threading.Event()
    # SIGTERM (a container stopped) stops serve as Ctrl-C does, as Prefect's runner does.
    previous = signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    notes.start()
    try:
        while not stopping.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        notes.stop()


def submit(
    source: str,
    run_key: str,
    options: RunOptions,
    idempotency_key: str,
    chat: ChatTarget | None = None,
    tags: Iterable[str] = (),
) -> FlowRun:
    """Queue a run of the deployment; the same idempotency key returns the same run."""
    parameters = {"source": source, "run_key": run_key, "options": options.model_dump()}
    if chat is not None:
        parameters["chat"] = chat.model_dump()
    return run_deployment(
        DEPLOYMENT,
        parameters=parameters,
        tags=run_tags(run_key, *tags),
        idempotency_key=idempotency_key,
        timeout=0,
        as_subflow=False,
    )
