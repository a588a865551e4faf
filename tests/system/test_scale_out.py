"""Two runners against one Prefect server on PostgreSQL share the notes; none runs twice.

Each runner takes two runs at a time (`--run-slots 2`), so four notes start on both; a
run resumed after approval goes to whichever runner polls first, and finds its finished
steps in the persisted results the runners share.
"""

import re
from collections import Counter

import pytest
from prefect import get_client
from prefect.client.schemas.objects import StateType

from editorbot.run_key import make_run_key
from editorbot.schemas import RunOptions
from flows.approval import decide
from flows.runs import wait_for_end, wait_for_state
from flows.serve import submit
from harness.runner import recorded_task_runs, served_deployment, slot_events
from harness.stack import postgres_database, prefect_server
from tasks.recognize_speech import TRANSCRIPTION_SLOTS
from tests.conftest import DATA

pytestmark = pytest.mark.slow
NOTES = 4
OPTIONS = RunOptions(language="es", dialect="rioplatense", template="provocation")


@pytest.fixture(scope="module")
def server(stack_dir):
    """The server on PostgreSQL (Debian's, started here) instead of SQLite."""
    with (
        postgres_database() as database_url,
        prefect_server(stack_dir / "server", database_url) as running,
        running.as_client(),
    ):
        yield running


@pytest.fixture(scope="module")
def runner_logs(server, stack_dir, stack_data):
    """Two `editorbot serve` processes, each with its own Prefect home; yields their logs."""
    shared = {
        # One storage: the persisted task results are under its results/ for every runner.
        "EDITORBOT_STORAGE": f"file://{stack_data}",
        # The runs' own log lines say which runner executed them.
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "INFO",
    }
    homes = [stack_dir / "runner-1", stack_dir / "runner-2"]
    with (
        served_deployment(homes[0], "--run-slots", "2", **shared),
        served_deployment(homes[1], "--run-slots", "2", **shared),
    ):
        yield [home / "serve.log" for home in homes]


def test_two_runners_share_the_notes_and_run_each_once(runner_logs, stack_data):
    runs = [
        submit(
            str(DATA / "es_rioplatense_synth.ogg"),
            make_run_key("scale", f"note-{n}"),
            OPTIONS,
            f"scale-note-{n}",
        )
        for n in range(NOTES)
    ]
    assert len({run.name for run in runs}) == NOTES  # the logs tell runs apart by name
    for run in runs:
        wait_for_state(run.id, lambda s: s.is_paused(), timeout_s=600)
        decide(run.id, "approve")
    for run in runs:
        assert wait_for_end(run.id, timeout_s=300).name == "Published"
        assert (stack_data / "scripts" / f"{run.parameters['run_key']}.json").is_file()

    with get_client(sync_client=True) as client:
        for run in runs:
            # Started once before the gate and once after it, never a second time in between.
            history = [s.type for s in client.read_flow_run_states(run.id)]
            executions = [t for t in history if t in (StateType.RUNNING, StateType.PAUSED)]
            assert executions == [StateType.RUNNING, StateType.PAUSED, StateType.RUNNING]
            assert history[-1] == StateType.COMPLETED
            # Transcribed once: the resumed execution, on either runner, took it from the cache.
            steps = Counter(
                (t.task_key.rsplit(".", 1)[-1].split("-")[0], t.state_name)
                for t in recorded_task_runs(run.id)
            )
            assert steps[("hear", "Completed")] == steps[("hear", "Cached")] == 1
            assert steps[("transcribe", "Completed")] == 1 and ("transcribe", "Cached") not in steps
            assert steps[("publish", "Completed")] == 1, steps

    # Both runners executed runs, and each execution happened on exactly one of them.
    began = [
        Counter(re.findall(r"Beginning flow run '([\w-]+)'", log.read_text()))
        for log in runner_logs
    ]
    assert all(began), began
    assert sum(began, Counter()) == Counter({run.name: 2 for run in runs}), began

    # The global limit kept transcriptions one at a time across both runners.
    events = slot_events(TRANSCRIPTION_SLOTS, 2 * NOTES, poll_s=1)
    phases = [e.event.rsplit(".", 1)[1] for e in events]
    assert phases == ["acquired", "released"] * NOTES, phases
