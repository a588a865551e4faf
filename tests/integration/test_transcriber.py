"""The warm transcription worker: one model for many notes, approvals past the queue, no repeats.

Real Prefect (the session's API), real `editorbot serve` and `editorbot transcriber`
processes, the real model on real speech.
"""

import time
from uuid import UUID

import pytest
from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import StateType

from editorbot.run_key import make_run_key
from editorbot.schemas import RunOptions
from flows.approval import decide
from flows.replay import schedule_replay
from flows.runs import settled, wait_for_end, wait_for_state
from flows.serve import submit
from harness.runner import served_deployment, task_states, transcription_worker
from tests.conftest import DATA

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]
SHORT = DATA / "es_rioplatense_synth.ogg"
OPTIONS = RunOptions(language="es", dialect="rioplatense", template="provocation")
LOADED = "Loaded the Whisper model"
# Every process's own log lines in serve.log, flow-run processes' included: a flow run that
# loaded the model itself would say so there too.
LOUD = {
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "INFO",
    "PREFECT_LOGGING_ROOT_LEVEL": "INFO",
}


def _submit(name: str, source=SHORT, options=OPTIONS):
    return submit(str(source), make_run_key("worker", name), options, f"worker-{name}")


def _reject_and_end(runs) -> None:
    """Reject waiting drafts and wait until their runs end, while this test's runner is up:
    a run left resuming would be picked up by the next test's runner, on other storage."""
    for run in runs:
        decide(run.id, "reject", "test")
    for run in runs:
        assert wait_for_end(run.id, timeout_s=120).name == "Rejected"


def _speech_runs(run_ids: list[UUID]) -> list:
    """The worker's task runs (recognize_speech) of these flow runs, oldest first, once all
    are recorded (the server records them in batches)."""

    def read() -> list:
        with get_client(sync_client=True) as client:
            return client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=run_ids))
            )

    runs = settled(read, key=lambda runs: sorted((str(t.id), str(t.state_id)) for t in runs))
    found = [t for t in runs if t.name.startswith("recognize_speech")]
    return sorted(found, key=lambda t: t.expected_start_time)


def test_served_notes_are_transcribed_by_one_worker_that_loads_the_model_once(tmp_path):
    home = tmp_path / "runner"
    with served_deployment(home, EDITORBOT_STORAGE=f"file://{tmp_path / 'data'}", **LOUD):
        runs = [_submit(f"warm-{n}") for n in range(3)]
        for run in runs:
            wait_for_state(run.id, lambda s: s.is_paused(), timeout_s=300)
        _reject_and_end(runs)
    log = (home / "serve.log").read_text()
    assert log.count(LOADED) == 1, log  # the worker's, before the first note
    # Serve's render worker receives the drafts' previews; the transcriber the three notes.
    received = [line for line in log.splitlines() if "Received task run" in line]
    assert len([line for line in received if " - recognize_speech-" in line]) == 3, received
    speech = _speech_runs([run.id for run in runs])
    assert sorted(t.flow_run_id for t in speech) == sorted(run.id for run in runs)
    assert {t.state.name for t in speech} == {"Completed"}
    for run in runs:  # transcribed once; the rerun after the decision took it from the cache
        assert task_states(run.id, "hear") == ["Completed", "Cached"]
        assert task_states(run.id, "transcribe") == ["Completed"]


def test_without_the_worker_each_flow_run_loads_the_model(tmp_path):
    """The count above can fail: flow-run processes that transcribe load a model each."""
    home = tmp_path / "runner"
    storage = f"file://{tmp_path / 'data'}"
    with served_deployment(home, "--transcribers", "0", EDITORBOT_STORAGE=storage, **LOUD):
        runs = [_submit(f"cold-{n}") for n in range(2)]
        for run in runs:
            wait_for_state(run.id, lambda s: s.is_paused(), timeout_s=300)
        _reject_and_end(runs)
    assert (home / "serve.log").read_text().count(LOADED) == 2
    assert _speech_runs([run.id for run in runs]) == []


def test_an_approval_is_published_while_new_notes_wait_for_transcription(tmp_path):
    storage = {"EDITORBOT_STORAGE": f"file://{tmp_path / 'data'}"}
    worker_home = tmp_path / "worker"
    # One run slot, and the worker stopped after the first draft: the next note holds the
    # slot waiting for a transcriber, the one after it waits for the slot.
    with served_deployment(
        tmp_path / "runner",
        "--run-slots",
        "1",
        "--transcribers",
        "0",
        EDITORBOT_TRANSCRIPTION="worker",
        **storage,
    ):
        with transcription_worker(worker_home, **storage):
            first = _submit("first")
            wait_for_state(first.id, lambda s: s.is_paused(), timeout_s=300)
        waiting = _submit("waiting")
        deadline = time.monotonic() + 120
        while task_states(waiting.id, "transcribe") != ["Running"]:
            assert time.monotonic() < deadline, task_states(waiting.id, "transcribe")
            time.sleep(0.5)
        queued = _submit("queued")

        decide(first.id, "approve")
        assert wait_for_end(first.id, timeout_s=120).name == "Published"
        # Published past both: one still waits for a transcriber, the other for the slot.
        assert task_states(waiting.id, "transcribe") == ["Running"]
        with get_client(sync_client=True) as client:
            assert client.read_flow_run(queued.id).state.type == StateType.SCHEDULED

        with transcription_worker(worker_home, **storage):
            for run in (waiting, queued):
                wait_for_state(run.id, lambda s: s.is_paused(), timeout_s=300)
            _reject_and_end([waiting, queued])
    # Each note went to the worker once: the approved run's resumption took its transcript
    # from the cache, and a note waiting for a worker was not sent twice.
    speech = _speech_runs([first.id, waiting.id, queued.id])
    assert [t.state.name for t in speech] == ["Completed"] * 3


def test_a_replayed_run_does_not_transcribe_again(tmp_path):
    storage = f"file://{tmp_path / 'data'}"
    # No Gemini key: mediation fails for good, after the transcript is stored.
    with served_deployment(
        tmp_path / "failing", EDITORBOT_STORAGE=storage, EDITORBOT_TEXT_ENGINE="gemini"
    ):
        run = _submit("replayed")
        assert wait_for_end(run.id, timeout_s=300).name == "Failed"
    with served_deployment(tmp_path / "runner", EDITORBOT_STORAGE=storage):
        schedule_replay(run.id)
        wait_for_state(run.id, lambda s: s.is_paused(), timeout_s=300)
        decide(run.id, "approve")
        assert wait_for_state(run.id, lambda s: s.is_final(), timeout_s=120).name == "Published"
    # Heard before mediation failed: the replay and the approved rerun took it from the cache.
    assert task_states(run.id, "hear") == ["Completed", "Cached", "Cached"]
    assert task_states(run.id, "transcribe") == ["Completed"]
    assert [t.state.name for t in _speech_runs([run.id])] == ["Completed"]
