"""The stack losing a part (a runner killed mid-run, once or twice; the server restarted
mid-wait), and a draft nobody decides."""

import os
import signal
import time
from collections.abc import Callable

import pytest
from prefect import get_client
from prefect.client.schemas.objects import StateType
from prefect.states import Crashed

from editorbot.run_key import make_run_key
from editorbot.schemas import ChatTarget, RunOptions, Script
from flows.approval import decide, waiting_draft
from flows.runs import wait_for_end, wait_for_state
from flows.serve import silent_run_automation, submit
from harness.fakes.telegram import FakeTelegram
from harness.runner import (
    flow_run_pids,
    kill_group,
    recorded_task_runs,
    served_deployment,
    task_states,
    transcriber_pids,
)
from tasks.global_slots import SLOT_LEASE_S
from tasks.recognize_speech import TRANSCRIPTION_SLOTS
from tests.conftest import DATA
from tests.integration.bot.conftest import CREATOR, TOKEN, Creator

pytestmark = pytest.mark.slow
# speech_60s.ogg is long enough to kill its transcription mid-way; it is English LibriVox.
LONG_NOTE = (
    DATA / "speech_60s.ogg",
    RunOptions(language="en", dialect="neutral", template="opinion"),
)
SHORT_NOTE = DATA / "es_rioplatense_synth.ogg", RunOptions(dialect="rioplatense")
# Prefect's minimum: a run is declared crashed after three missed heartbeats (flows/serve.py).
HEARTBEAT_S = "30"


def _wait_for_slots(done: Callable[[int], bool], timeout: float) -> None:
    """Until the transcription limit's taken slots satisfy `done`."""
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while not done(
            client.read_global_concurrency_limit_by_name(TRANSCRIPTION_SLOTS).active_slots
        ):
            assert time.monotonic() < deadline, "the transcription slots never changed as expected"
            time.sleep(0.2)


def _speech_states(run_id) -> list[str]:
    """The states of the run's notes handed to the transcription worker, oldest first."""
    handed = [t for t in recorded_task_runs(run_id) if t.name.startswith("recognize_speech")]
    return [t.state.name for t in handed]


def _published(data, run_key: str) -> Script:
    """Exactly one script was published for `run_key`, complete (both files) and valid."""
    published = sorted(
        p.relative_to(data / "scripts")
        for p in (data / "scripts").rglob("*.*")
        if p.name.startswith(run_key.rsplit("/", 1)[-1])
    )
    assert [p.as_posix() for p in published] == [f"{run_key}.json", f"{run_key}.md"]
    return Script.model_validate_json((data / "scripts" / f"{run_key}.json").read_text())


def _kill_mid_transcription(runner) -> None:
    """Once Whisper is at work, kill the runner with its runs, as a VM losing power would."""
    _wait_for_slots(lambda taken: taken == 1, timeout=300)
    kill_group(runner)


def _crashed(run_id) -> None:
    """Nothing tells the server the run is gone but its missing heartbeats."""
    crashed = wait_for_state(run_id, lambda s: s.name != "Running", timeout_s=240)
    assert crashed.is_crashed() and "heartbeat" in crashed.message, crashed
    # The dead transcription's slot comes back when its lease runs out, not minutes later.
    _wait_for_slots(lambda taken: taken == 0, timeout=3 * SLOT_LEASE_S)


def _taken_up(run_id, timeout: float = 120):
    """The crashed run's state once a runner has dealt with it (it is no longer Crashed)."""
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while (state := client.read_flow_run(run_id).state).is_crashed():
            assert time.monotonic() < deadline, "no runner took the crashed run up"
            time.sleep(0.5)
    return state


@pytest.mark.parametrize("run_in", ["processes", "threads"])
def test_a_run_whose_runner_was_killed_mid_transcription_is_resumed_by_itself(
    server, tmp_path, run_in
):
    data = tmp_path / "data"
    settings = {
        "EDITORBOT_STORAGE": f"file://{data}",
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": HEARTBEAT_S,
    }
    run_key = make_run_key("faults", f"killed-{run_in}")  # one run per mode on the server
    # One runner home for both, as the runner's results volume outlives its container.
    home = tmp_path / "runner"
    with served_deployment(home, run_in=run_in, **settings) as first:
        run = submit(str(LONG_NOTE[0]), run_key, LONG_NOTE[1], f"killed-note-{run_in}")
        _wait_for_slots(lambda taken: taken == 1, timeout=300)
        # In threads the run dies with serve itself; in processes, with serve's child.
        assert bool(flow_run_pids(first)) == (run_in == "processes")
        kill_group(first)
    _crashed(run.id)

    # Nobody replays it: the runner that comes back resumes it on its own.
    with served_deployment(home, run_in=run_in, **settings):
        _taken_up(run.id)
        wait_for_state(run.id, lambda s: s.is_paused(), timeout_s=300)
        decide(run.id, "approve")
        final = wait_for_end(run.id)
    assert final.name == "Published", final.message
    # Finished before the kill: taken from the cache by the resumed run. After the approval
    # the run replays the whole stage from the cache, and none of its steps.
    for step in ("download", "normalize_audio"):
        assert task_states(run.id, step) == ["Completed", "Cached"], step
    # Cut off mid-way: done once more in full.
    assert task_states(run.id, "transcribe")[1:] == ["Completed"]
    assert task_states(run.id, "hear")[1:] == ["Completed", "Cached"]
    _published(data, run_key)


def test_a_run_that_dies_twice_is_closed_and_its_creator_told(server, tmp_path):
    data = tmp_path / "data"
    chat = ChatTarget(chat_id=CREATOR, user_id=CREATOR)
    with FakeTelegram(TOKEN) as telegram:
        settings = {
            "EDITORBOT_STORAGE": f"file://{data}",
            "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": HEARTBEAT_S,
            "EDITORBOT_TELEGRAM_TOKEN": TOKEN,
            "EDITORBOT_TELEGRAM_API_URL": telegram.api_url,
            "EDITORBOT_TELEGRAM_FILE_URL": telegram.file_url,
        }
        with served_deployment(tmp_path / "first", **settings) as first:
            run_key = make_run_key("faults", "twice")
            run = submit(str(LONG_NOTE[0]), run_key, LONG_NOTE[1], "twice-note", chat=chat)
            _kill_mid_transcription(first)
        _crashed(run.id)
        # The next runner resumes it, transcribing again, and dies the same way.
        with served_deployment(tmp_path / "second", **settings) as second:
            _taken_up(run.id)
            _kill_mid_transcription(second)
        _crashed(run.id)

        with served_deployment(tmp_path / "third", **settings):
            final = _taken_up(run.id)
            told = Creator(telegram, CREATOR).wait_reply("stopped twice", timeout=60)
    assert final.type == StateType.FAILED and final.name == "Crashed twice", final
    assert "Send the note again" in told.params["text"]
    assert len(task_states(run.id, "transcribe")) == 2  # never a third time
    assert not (data / "scripts").exists()


def test_a_suspended_draft_nobody_decides_expires_and_its_creator_is_told(server, tmp_path):
    chat = ChatTarget(chat_id=CREATOR, user_id=CREATOR)
    with FakeTelegram(TOKEN) as telegram:
        settings = {
            "EDITORBOT_STORAGE": f"file://{tmp_path / 'data'}",
            "EDITORBOT_APPROVAL_TIMEOUT_S": "5",
            "EDITORBOT_TELEGRAM_TOKEN": TOKEN,
            "EDITORBOT_TELEGRAM_API_URL": telegram.api_url,
            "EDITORBOT_TELEGRAM_FILE_URL": telegram.file_url,
        }
        creator = Creator(telegram, CREATOR)
        with served_deployment(tmp_path / "runner", **settings):
            idea = "text:Che, el boleto del colectivo cuesta el doble que el mes pasado."
            run = submit(
                idea, make_run_key("faults", "expiring"), SHORT_NOTE[1], "expiring", chat=chat
            )
            creator.wait_draft(timeout=300)
            # Suspended, the run has no process: the server fails it, and the runner tells.
            creator.wait_reply("Nobody decided in time", timeout=180)
    with get_client(sync_client=True) as client:
        final = client.read_flow_run(run.id).state
    assert final.is_failed() and final.name == "Expired" and "never resumed" in final.message


# Before the tests that start the module's runner: with other storage, it would take this
# test's run.
def test_a_draft_marked_crashed_while_it_waits_goes_back_to_its_gate(server, tmp_path):
    """On SQLite the server can drop a suspended run's Suspended event under load (four in a
    burst of 20 notes: bench/README.md); the heartbeat automation then takes the silent,
    waiting run for a dead one and marks it Crashed. A runner's sweep puts it back at the
    same gate instead of running it again, and the crash does not count as one."""
    data = tmp_path / "data"
    settings = {"EDITORBOT_STORAGE": f"file://{data}", "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}
    run_key = make_run_key("faults", "false-crash")
    with served_deployment(tmp_path / "first", **settings):
        run = submit(str(SHORT_NOTE[0]), run_key, SHORT_NOTE[1], "false-crash-note")
        gate = wait_for_state(run.id, lambda s: s.is_paused())
    with get_client(sync_client=True) as client:
        # What the automation does: its own state and message, not forced (flows/serve.py).
        action = silent_run_automation(30).actions[0]
        client.set_flow_run_state(run.id, Crashed(message=action.message))
    with served_deployment(tmp_path / "second", **settings):  # sweeps as it starts
        again = _taken_up(run.id)
        assert again.is_paused() and waiting_draft(again) == waiting_draft(gate), again
        decide(run.id, "approve")
        assert wait_for_end(run.id).name == "Published"
    with get_client(sync_client=True) as client:
        history = [s.type for s in client.read_flow_run_states(run.id)]
    # Not run again between the crash and the decision: back at the gate at once.
    crash = history.index(StateType.CRASHED)
    assert history[crash - 1 : crash + 3] == [
        StateType.PAUSED,
        StateType.CRASHED,
        StateType.PAUSED,
        StateType.SCHEDULED,  # Resuming, after the decision
    ], history
    _published(data, run_key)


def test_a_waiting_run_is_published_after_the_server_restarts(server, runner, stack_data):
    run_key = make_run_key("faults", "restart")
    run = submit(str(SHORT_NOTE[0]), run_key, SHORT_NOTE[1], "restart-note")
    assert wait_for_state(run.id, lambda s: s.is_paused(), timeout_s=300).name == "Suspended"

    server.restart()  # same port, same SQLite database; the runner keeps polling meanwhile

    decide(run.id, "approve")
    final = wait_for_end(run.id)
    assert final.name == "Published", final.message
    assert runner.poll() is None, "the runner did not survive the server's restart"
    _published(stack_data, run_key)  # where the module's runner stores


def test_a_transcriber_killed_mid_note_is_replaced_and_the_note_sent_again(
    runner, stack_data, stack_dir
):
    # The module's runner: every runner on a server shares one storage, and so do their
    # workers (a worker reads the note from the runners' results).
    run_key = make_run_key("faults", "transcriber")
    run = submit(str(LONG_NOTE[0]), run_key, LONG_NOTE[1], "transcriber-killed")
    _wait_for_slots(lambda taken: taken == 1, timeout=180)  # the worker is at work
    (worker,) = transcriber_pids(runner)
    os.kill(worker, signal.SIGKILL)  # mid-note, without warning

    # `editorbot serve` starts a new worker; the flow hears nothing more from the dead one,
    # sends the note again once the new one listens, and the new one transcribes it once
    # the dead one's slot lease runs out.
    wait_for_state(run.id, lambda s: s.is_paused(), timeout_s=300)
    assert transcriber_pids(runner) not in ([], [worker])
    decide(run.id, "approve")
    final = wait_for_end(run.id)
    assert final.name == "Published", final.message
    log = (stack_dir / "runner" / "serve.log").read_text()
    assert "the transcriber exited (-9); starting it again" in log
    assert _speech_states(run.id) == ["Crashed", "Completed"]
    assert task_states(run.id, "transcribe") == ["Completed"]  # the approved run replays "hear"
    _published(stack_data, run_key)
