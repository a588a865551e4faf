"""The served deployment and replays: runs resume or repeat without redoing finished steps."""

import pytest

from editorbot.run_key import make_run_key
from editorbot.schemas import RunOptions, Script
from editorbot.settings import get_settings
from editorbot.storage import configured_storage
from editorbot.whisper import get_engine
from flows.approval import decide
from flows.local_run import LocalRun
from flows.replay import NotReplayable, schedule_replay
from flows.runs import wait_for_end, wait_for_state
from flows.serve import submit
from harness.runner import served_deployment, task_states
from tests.conftest import DATA

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]
OPTIONS = RunOptions(language="es", dialect="rioplatense", template="provocation")


@pytest.fixture
def runner(tmp_path):
    """`editorbot serve` against the session's Prefect API; yields its data directory."""
    data = tmp_path / "data"
    with served_deployment(tmp_path / "runner-prefect", EDITORBOT_STORAGE=f"file://{data}"):
        yield data


def test_a_suspended_run_resumes_without_redoing_finished_steps(runner):
    run_key = make_run_key("served", "approve")
    run = submit(str(DATA / "es_rioplatense_synth.ogg"), run_key, OPTIONS, "note-abc")
    assert submit("ignored", run_key, OPTIONS, "note-abc").id == run.id  # idempotent
    suspended = wait_for_state(run.id, lambda s: s.is_paused())
    assert suspended.name == "Suspended"  # the runner holds no process while it waits
    assert any(p.is_file() for p in (runner / "results").iterdir())  # results beside artifacts
    decide(run.id, "approve")
    final = wait_for_end(run.id)
    assert final.name == "Published", final.message
    # The resumed run replays each stage before the gate from the cache, and none of its steps.
    for stage in ("hear", "draft"):
        assert task_states(run.id, stage) == ["Completed", "Cached"], stage
    for step in ("download", "normalize_audio", "transcribe", "mediate", "structure"):
        assert task_states(run.id, step) == ["Completed"], step
    Script.model_validate_json((runner / "scripts" / f"{run_key}.json").read_text())


def test_a_failed_run_is_replayed_from_where_it_stopped(data_dir, monkeypatch):
    engine = get_engine(get_settings())
    monkeypatch.setenv("EDITORBOT_TEXT_ENGINE", "gemini")  # no key: mediate fails, not transient
    first = LocalRun(str(DATA / "es_rioplatense_synth.ogg"), make_run_key("t", "replay"), OPTIONS)
    assert first.result(180).is_failed()
    transcriptions = engine.transcriptions

    monkeypatch.delenv("EDITORBOT_TEXT_ENGINE")
    replay = LocalRun.again(schedule_replay(first.id))
    assert replay.id == first.id and replay.watch().is_paused()
    replay.decide("approve")
    assert replay.result(120).name == "Published"
    assert engine.transcriptions == transcriptions
    # The note was heard before mediate failed: the replay takes the whole stage from the
    # cache, and enters the draft stage again.
    assert task_states(first.id, "hear") == ["Completed", "Cached"]
    assert task_states(first.id, "transcribe") == ["Completed"]
    assert task_states(first.id, "draft") == ["Failed", "Completed"]
    # The second mediate may come from the cache: it is a pure function of the same text.
    assert task_states(first.id, "mediate")[0] == "Failed"
    assert task_states(first.id, "mediate")[1] in ("Completed", "Cached")
    assert len(configured_storage().list("scripts/")) == 2  # .json and .md, once
    with pytest.raises(NotReplayable, match="only failed or crashed runs"):
        schedule_replay(first.id)
