"""Serve the voice-to-script deployment from this process, and submit runs to it."""

from collections.abc import Iterable

from prefect import serve
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.deployments.runner import EntrypointType

from editorbot.schemas import ChatTarget, RunOptions
from flows.transcription_limit import ensure_transcription_limit
from flows.voice_to_script import voice_to_script

DEPLOYMENT = "voice-to-script/voice-to-script"


def serve_voice_to_script(transcription_slots: int = 1, max_runs: int | None = None) -> None:
    """Register the deployment and execute its runs here until interrupted."""
    ensure_transcription_limit(transcription_slots)
    deployment = voice_to_script.to_deployment(
        name="voice-to-script",
        tags=["editorbot"],
        description="One voice note to one approved script.",
        # Import by module path: the runner's child processes find the installed package.
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    serve(deployment, limit=max_runs, print_starting_message=False)


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
        tags=["editorbot", f"run-key:{run_key}", *tags],
        idempotency_key=idempotency_key,
        timeout=0,
        as_subflow=False,
    )
