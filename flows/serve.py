"""Serve the voice-to-script deployment from this process, and submit runs to it."""

import threading
from collections.abc import Iterable
from datetime import timedelta

from prefect import get_client, serve
from prefect.automations import AutomationCore
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.deployments import run_deployment
from prefect.deployments.runner import EntrypointType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification
from prefect.settings import get_current_settings

from editorbot.schemas import ChatTarget, RunOptions
from flows.recovery import keep_recovering_deployment_runs
from flows.results import results_beside_artifacts
from flows.runs import PRODUCT_TAG, run_tags
from flows.transcription_limit import ensure_render_limit, ensure_transcription_limit
from flows.voice_to_script import voice_to_script

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


def serve_voice_to_script(transcription_slots: int = 1, max_runs: int | None = None) -> None:
    """Register the deployment and execute its runs here until interrupted."""
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
