"""`editorbot serve --run-in threads`: new notes run in the serve process's threads.

Real Prefect (the session's API), a real `editorbot serve` with its transcription worker.
"""

import subprocess
import time
from uuid import UUID

import pytest
from prefect import get_client
from prefect.concurrency.sync import concurrency
from prefect.states import Cancelling

from editorbot.run_key import make_run_key
from editorbot.schemas import RunOptions
from editorbot.storage import script_key
from flows.approval import decide
from flows.runs import wait_for_end, wait_for_state
from flows.serve import CANCEL_NOTICED, submit
from harness.runner import processes_that_ran, run_logs, served_deployment, task_states
from harness.stack import EDITORBOT, child_env
from tasks.recognize_speech import TRANSCRIPTION_SLOTS
from tests.conftest import DATA

OPTIONS = RunOptions(language="es", dialect="rioplatense", template="provocation")


def _states(run_id: UUID) -> list:
    with get_client(sync_client=True) as client:
        return sorted(client.read_flow_run_states(run_id), key=lambda s: s.timestamp)


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_api")
def test_a_note_drafts_and_publishes_run_by_the_serve_process_itself(tmp_path):
    data = tmp_path / "data"
    run_key = make_run_key("threads", "one")
    storage = f"file://{data}"
    with served_deployment(
        tmp_path / "runner", run_in="threads", EDITORBOT_STORAGE=storage
    ) as serve:
        run = submit(str(DATA / "es_rioplatense_synth.ogg"), run_key, OPTIONS, "threads-one")
        assert wait_for_state(run.id, lambda s: s.is_paused(), timeout_s=300).name == "Suspended"
        decide(run.id, "approve")
        final = wait_for_end(run.id, timeout_s=300)
    assert final.name == "Published", final.message
    assert (data / script_key(run_key, "json")).is_file()
    # The note's segment and the approved one, both in serve's own process: under the
    # runner (--run-in processes) the first is a child process's id.
    assert processes_that_ran(run.id) == [serve.pid, serve.pid]
    assert serve.returncode == 0  # SIGINT stopped it; the harness did not have to kill it


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_api")
def test_notes_sent_at_once_each_run_once_two_at_a_time(tmp_path):
    data = tmp_path / "data"
    keys = [make_run_key("threads", f"burst{n}") for n in range(5)]
    storage = f"file://{data}"
    with served_deployment(
        tmp_path / "runner", "--run-slots", "2", run_in="threads", EDITORBOT_STORAGE=storage
    ):
        runs = [
            submit(f"text:Che, el bondi número {n} no pasa nunca.", key, OPTIONS, f"burst-{key}")
            for n, key in enumerate(keys)
        ]
        for run in runs:
            wait_for_state(run.id, lambda s: s.is_paused(), timeout_s=300)
        # Each note's segment, from its claim (Pending) to its draft (Suspended): a third
        # note is claimed only once a thread is free, so no more than two overlap.
        segments = []
        for run in runs:
            states = _states(run.id)
            claimed = next(s.timestamp for s in states if s.name == "Pending")
            drafted = next(s.timestamp for s in states if s.name == "Suspended")
            segments.append((claimed, drafted))
        overlaps = [sum(1 for b in segments if b[0] <= a[0] < b[1]) for a in segments]
        assert max(overlaps) == 2, segments
        for run in runs:
            decide(run.id, "approve")
        finals = [wait_for_end(run.id, timeout_s=600) for run in runs]
    assert [f.name for f in finals] == ["Published"] * len(runs), [f.message for f in finals]
    for run, key in zip(runs, keys, strict=True):
        # Two segments (the note, the approval), each claimed and run exactly once.
        names = [s.name for s in _states(run.id)]
        assert names.count("Pending") == 2 and names.count("Running") == 2, names
        assert (data / script_key(key, "json")).is_file()


def test_threads_without_a_transcription_worker_are_refused_in_one_sentence(tmp_path):
    done = subprocess.run(
        [*EDITORBOT, "serve", "--run-in", "threads", "--transcribers", "0"],
        cwd=tmp_path,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    (said,) = done.stderr.splitlines()  # one line, no traceback
    assert said.startswith("editorbot: --run-in threads needs notes transcribed by a worker"), said


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_api")
def test_a_note_cancelled_while_its_thread_runs_it_ends_cancelled_at_its_next_step(tmp_path):
    data = tmp_path / "data"
    run_key = make_run_key("threads", "cancelled")
    storage = f"file://{data}"
    # One thread: the note after the cancelled one runs only once the thread lets go.
    with served_deployment(
        tmp_path / "runner", "--run-slots", "1", run_in="threads", EDITORBOT_STORAGE=storage
    ):
        # The stack's one transcription slot, taken here: the note waits in its transcribe
        # step, in a thread of serve, while the UI's Cancel is pressed.
        with concurrency(TRANSCRIPTION_SLOTS, occupy=1, strict=True):
            run = submit(str(DATA / "es_rioplatense_synth.ogg"), run_key, OPTIONS, "cancelled")
            wait_for_state(run.id, lambda s: s.is_running(), timeout_s=300)
            deadline = time.monotonic() + 300
            while task_states(run.id, "transcribe") != ["Running"]:
                assert time.monotonic() < deadline, task_states(run.id, "transcribe")
                time.sleep(0.2)
            with get_client(sync_client=True) as client:
                client.set_flow_run_state(run.id, Cancelling(), force=True)
            # Serve noticed before the transcript comes back (the slot is still held).
            while not any(CANCEL_NOTICED in line for line in run_logs(run.id)):
                assert time.monotonic() < deadline, run_logs(run.id)
                time.sleep(0.2)
        final = wait_for_end(run.id, timeout_s=300)
        # Its thread is free again: the next note gets to its draft.
        typed, key = "text:Che, el bondi no pasa.", make_run_key("threads", "next")
        other = submit(typed, key, OPTIONS, "next")
        assert wait_for_state(other.id, lambda s: s.is_paused(), timeout_s=300).name == "Suspended"
    assert final.name == "Cancelled", final
    assert "next step" in final.message
    # It stopped after the transcript: no mediation, no draft, nothing published.
    assert task_states(run.id, "transcribe") == ["Completed"]
    assert task_states(run.id, "mediate") == []
    assert not [p for p in (data / "drafts").rglob("*") if run_key.rsplit("/", 1)[-1] in str(p)]
