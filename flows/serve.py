"""Serve the voice-to-script deployment from this process, and submit runs to it."""

import logging
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from uuid import UUID

from prefect import get_client, serve
from prefect.automations import AutomationCore
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterDeploymentId,
    FlowRunFilterState,
    FlowRunFilterStateName,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.responses import SetStateStatus
from prefect.client.schemas.sorting import FlowRunSort
from prefect.deployments import run_deployment
from prefect.deployments.runner import EntrypointType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification
from prefect.settings import get_current_settings, temporary_settings
from prefect.states import Pending

from editorbot.schemas import ChatTarget, RunOptions
from flows.previews import RenderWorker
from flows.recovery import keep_recovering_deployment_runs
from flows.results import result_storage_settings, results_beside_artifacts
from flows.runs import PRODUCT_TAG, run_tags
from flows.thread_runs import RESUMING, execute_here
from flows.transcription_limit import ensure_render_limit, ensure_transcription_limit
from flows.voice_to_script import voice_to_script

log = logging.getLogger(__name__)

DEPLOYMENT = "voice-to-script/voice-to-script"
CRASH_SILENT_RUNS = "editorbot: crash runs whose heartbeats stopped"
MISSED_HEARTBEATS = 3
"""A run is declared crashed after this many heartbeats in a row did not arrive."""


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


class ResumptionLane:
    """Runs resumed by a decision, executed in this process's threads, beside the runner.

    A suspended run that a decision reschedules needs a runner slot like a new note, and in
    a burst every slot is held by notes waiting for the transcriber: the approval would wait
    behind all of them. The lane claims resumed runs the way a runner does (it proposes
    Pending; the server accepts that once, so a run is claimed by the lane or the runner,
    never both) and runs them with Prefect's engine in up to `slots` threads of their own.
    A resumed run only replays cached steps and publishes: no new process, no model.
    """

    def __init__(self, deployment_id: UUID, slots: int, poll_s: float = 0.5) -> None:
        self.deployment_id, self.slots, self.poll_s = deployment_id, slots, poll_s
        self._result_storage = result_storage_settings()
        self._running: set[UUID] = set()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._claim_resumed_runs, name="resumptions")

    def start(self) -> "ResumptionLane":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()  # lets the runs in hand finish

    def _claim_resumed_runs(self) -> None:
        resumed = FlowRunFilter(
            deployment_id=FlowRunFilterDeploymentId(any_=[self.deployment_id]),
            state=FlowRunFilterState(name=FlowRunFilterStateName(any_=[RESUMING])),
        )
        with (
            ThreadPoolExecutor(self.slots, thread_name_prefix="resumed-run") as pool,
            get_client(sync_client=True) as client,
        ):
            while not self._stopping.wait(self.poll_s):
                free = self.slots - len(self._running)
                if free <= 0:
                    continue
                try:
                    runs = client.read_flow_runs(
                        flow_run_filter=resumed,
                        sort=FlowRunSort.EXPECTED_START_TIME_ASC,
                        limit=free,
                    )
                    for run in runs:
                        if run.id in self._running:
                            continue  # its last execution is still ending (flows/thread_runs.py)
                        if (
                            client.set_flow_run_state(run.id, Pending()).status
                            == SetStateStatus.ACCEPT
                        ):
                            self._running.add(run.id)
                            pool.submit(self._execute, run.id)
                except Exception:  # the server restarting, say: the next poll tries again
                    log.warning("Could not look for resumed runs", exc_info=True)

    def _execute(self, run_id: UUID) -> None:
        try:
            with temporary_settings(updates=self._result_storage):
                execute_here(voice_to_script, run_id)
        except Exception:  # the flow's own failures end up in its state; this is the rest
            log.exception("The resumed run %s could not be executed here", run_id)
        finally:
            self._running.discard(run_id)


def serve_voice_to_script(
    transcription_slots: int = 1, max_runs: int | None = None, resume_slots: int = 16
) -> None:
    """Register the deployment and execute its runs here until interrupted.

    New notes (and replays) run in processes the runner starts, at most `max_runs` at once;
    runs resumed by a decision run in this process, at most `resume_slots` at once (threads
    that mostly wait for the render slot: an approved run publishes, then renders), so an
    approval never waits for a slot behind new notes; drafts' previews render in this
    process too (flows/previews.py).
    """
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
        # The runner hands these settings to each flow-run process it starts.
        with results_beside_artifacts():
            serve(deployment, limit=max_runs, print_starting_message=False)
    finally:
        stop.set()
        if lane is not None:
            lane.stop()
        renders.stop()


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
