"""The whole flow against a real local Prefect API, through its approval gate."""

import contextlib
import io
import json
import logging
import threading
import time
import uuid

import pytest
from prefect import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.exceptions import ObjectNotFound

from editorbot.errors import BadAudio
from editorbot.logs import JsonFormatter
from editorbot.run_key import make_run_key, run_key_slug
from editorbot.schemas import RunOptions, Script
from editorbot.settings import get_settings
from editorbot.storage import ARTIFACT_PREFIXES, configured_storage, open_storage
from editorbot.whisper import get_engine
from flows.approval import NotWaiting, decide
from flows.local_run import LocalRun
from flows.transcription_limit import ensure_transcription_limit
from tasks.recognize_speech import SLOT_RELEASED, SLOT_TAKEN, TRANSCRIPTION_SLOTS
from tests.conftest import DATA

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]
SPANISH = str(DATA / "es_rioplatense_synth.ogg")
OPTIONS = RunOptions(language="es", dialect="rioplatense", template="provocation")


def _start(message_id: str, source: str = SPANISH, options: RunOptions = OPTIONS) -> LocalRun:
    return LocalRun(source, make_run_key("test", message_id), options)


def _at_gate(run: LocalRun):
    state = run.watch()
    assert state.is_paused(), state
    return state


def test_approved_note_is_published_with_every_artifact(data_dir):
    run = _start("approve")
    _at_gate(run)
    run.decide("approve")
    final = run.result(120)
    assert final.name == "Published"
    run_key = final.result().run_key
    storage = configured_storage()
    script = Script.model_validate_json(storage.get(f"scripts/{run_key}.json"))
    assert script.template_id == "provocation" and script.dialect == "rioplatense"
    assert "autobús" in script.model_dump_json() and "colectivo" not in script.model_dump_json()
    assert (
        storage.get(f"audio/raw/{run_key}.ogg") == (DATA / "es_rioplatense_synth.ogg").read_bytes()
    )
    for key in (
        f"audio/cleaned/{run_key}.wav",
        f"subtitles/{run_key}.srt",
        f"subtitles/{run_key}.vtt",
        f"drafts/{run_key}/script.json",
        f"drafts/{run_key}/script.md",
        f"drafts/{run_key}/preview-0.mp4",
        f"scripts/{run_key}.md",
        f"video/short/{run_key}/9x16.mp4",
        f"video/short/{run_key}/timeline.otio",
        f"video/long/{run_key}/16x9.mp4",
    ):
        assert storage.exists(key), key
    # The creator asked for nothing more: no 1:1, no 4:5.
    assert not storage.exists(f"video/short/{run_key}/1x1.mp4")
    assert f"video/short/{run_key}/9x16.mp4" in final.result().published
    with get_client(sync_client=True) as client:
        for kind in ("draft", "render-plan"):
            artifact = client.read_latest_artifacts(key=f"{kind}-{run_key_slug(run_key)}")
            assert artifact is not None, kind


def test_revise_applies_the_notes_and_waits_again(data_dir):
    run = _start("revise")
    _at_gate(run)
    run.decide("revise", "inflación -> subida de precios")
    _at_gate(run)
    run.decide("approve")
    final = run.result(120)
    script = Script.model_validate_json(
        configured_storage().get(f"scripts/{final.result().run_key}.json")
    )
    assert "subida de precios" in " ".join(b.text for b in script.beats)
    assert script.metadata.revision == 1
    assert script.metadata.reviewer_notes == ["inflación -> subida de precios"]


def test_rejected_note_ends_without_publishing(data_dir):
    run = _start("reject")
    _at_gate(run)
    run.decide("reject", "not today")
    final = run.result(120)
    assert final.name == "Rejected" and "not today" in final.message
    assert configured_storage().list("scripts/") == []
    with pytest.raises(NotWaiting, match="not waiting for approval; it is Rejected"):
        run.decide("approve")


def test_approvers_answering_at_once_take_one_decision_and_the_others_are_told(data_dir):
    run = _start("race", source="text:Hoy quiero hablar del colectivo y de la inflación.")
    _at_gate(run)
    decisions = ["approve", "reject", "approve", "reject"]
    start = threading.Barrier(len(decisions))
    outcomes: dict[int, str] = {}

    def answer(approver: int, decision: str) -> None:
        start.wait(30)
        try:
            decide(run.id, decision)
            outcomes[approver] = "taken"
        except NotWaiting as told:
            outcomes[approver] = str(told)

    approvers = [threading.Thread(target=answer, args=item) for item in enumerate(decisions)]
    for approver in approvers:
        approver.start()
    for approver in approvers:
        approver.join(60)
    final = run.result(120)
    taken = [decisions[i] for i, outcome in outcomes.items() if outcome == "taken"]
    assert len(outcomes) == len(decisions) and len(taken) == 1, outcomes
    assert final.name == {"approve": "Published", "reject": "Rejected"}[taken[0]]
    for outcome in outcomes.values():
        assert outcome == "taken" or "is not waiting for approval" in outcome
    published = configured_storage().list("scripts/")
    assert len(published) == (2 if taken == ["approve"] else 0), published  # .md and .json


def test_unanswered_gate_expires_without_publishing(data_dir, monkeypatch):
    monkeypatch.setenv("EDITORBOT_APPROVAL_TIMEOUT_S", "2")
    monkeypatch.setenv("EDITORBOT_APPROVAL_POLL_S", "1")
    final = _start("expire").result(180)
    assert final.is_failed() and "expired and never resumed" in final.message
    assert configured_storage().list("scripts/") == []


def test_a_second_run_of_the_same_note_does_not_transcribe_again(data_dir):
    engine = get_engine(get_settings())
    first = _start("replay")
    _at_gate(first)
    first.decide("approve")
    first.result(120)
    transcriptions = engine.transcriptions

    second = _start("replay")
    _at_gate(second)
    second.decide("approve")
    assert second.result(120).name == "Published"
    assert engine.transcriptions == transcriptions
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs()
    cached = [t for t in runs if t.flow_run_id == second.id and t.name.startswith("transcribe")]
    assert [t.state.name for t in cached] == ["Cached"]


def test_bad_audio_fails_with_a_sentence_and_keeps_the_raw_note(data_dir, tmp_path):
    not_audio = tmp_path / "photo.ogg"
    not_audio.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    final = _start("bad", source=str(not_audio)).result(120)
    assert final.is_failed()
    with pytest.raises(BadAudio, match="no sound in it"):
        final.result()
    storage = configured_storage()
    assert storage.list("audio/raw/") and storage.list("scripts/") == []


def test_the_flow_stores_everything_in_s3(s3_endpoint, s3_bucket, monkeypatch):
    monkeypatch.setenv("EDITORBOT_STORAGE", f"s3://{s3_bucket}")
    monkeypatch.setenv("EDITORBOT_S3_ENDPOINT_URL", s3_endpoint)
    run = _start("s3")
    _at_gate(run)
    run.decide("approve")
    run_key = run.result(120).result().run_key
    storage = open_storage(f"s3://{s3_bucket}", s3_endpoint_url=s3_endpoint)
    Script.model_validate_json(storage.get(f"scripts/{run_key}.json"))
    keys = [k for prefix in ARTIFACT_PREFIXES for k in storage.list(prefix + run_key)]
    assert {k.replace(run_key, "KEY") for k in keys} == {
        "audio/raw/KEY.ogg",
        "audio/cleaned/KEY.wav",
        "subtitles/KEY.srt",
        "subtitles/KEY.vtt",
        "drafts/KEY/script.json",
        "drafts/KEY/script.md",
        "drafts/KEY/preview-0.mp4",
        "scripts/KEY.json",
        "scripts/KEY.md",
        *(f"video/short/KEY/{n}" for n in ("9x16.mp4", "9x16.ass", "9x16.srt", "plan.json")),
        *(f"video/long/KEY/{n}" for n in ("16x9.mp4", "16x9.ass", "16x9.srt", "plan.json")),
        "video/short/KEY/timeline.otio",
    }, keys


def _transcription_limit():
    with get_client(sync_client=True) as client:
        return client.read_global_concurrency_limit_by_name(TRANSCRIPTION_SLOTS)


def _slot_held(run_id) -> tuple:
    """When a run's transcription held the slot: the two lines it logs inside the slot."""
    deadline = time.monotonic() + 60
    while True:  # run logs reach the API in batches
        with get_client(sync_client=True) as client:
            logs = client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id]))
            )
        taken = [line.timestamp for line in logs if line.message == SLOT_TAKEN]
        released = [line.timestamp for line in logs if line.message.startswith(SLOT_RELEASED)]
        if taken and released:
            return taken[0], released[0]
        assert time.monotonic() < deadline, [line.message for line in logs]
        time.sleep(0.5)


def test_local_runs_transcribe_one_at_a_time_under_the_global_limit(data_dir, caplog):
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectNotFound):
        client.delete_global_concurrency_limit_by_name(TRANSCRIPTION_SLOTS)  # as on a new laptop
    caplog.set_level(logging.WARNING)
    batch = uuid.uuid4().hex[:8]
    # Two new notes at once (transcribed, not cached), as two creators would send them.
    runs = [_start(f"slot-{batch}-{n}") for n in (1, 2)]
    for run in runs:
        _at_gate(run)
        run.decide("reject")
        run.result(120)
    with get_client(sync_client=True) as client:
        transcribed = [t for t in client.read_task_runs() if t.flow_run_id in {r.id for r in runs}]
    assert [t.state.name for t in transcribed if t.name.startswith("transcribe")] == [
        "Completed",
        "Completed",
    ]
    first, second = sorted(_slot_held(run.id) for run in runs)  # (taken, released) each
    assert first[1] <= second[0], "two transcriptions held the slot at once"
    assert "do not exist" not in caplog.text
    limit = _transcription_limit()
    assert (limit.limit, limit.active, limit.active_slots) == (1, True, 0)

    # A limit `editorbot serve --transcription-slots 2` set is the server's to keep.
    ensure_transcription_limit(2)
    try:
        typed = _start("slot-typed", source="text:Che, el colectivo está carísimo.")
        _at_gate(typed)
        typed.decide("reject")
        typed.result(120)
        assert _transcription_limit().limit == 2
    finally:
        ensure_transcription_limit(1)  # as the tests after this one expect


def test_every_line_logged_inside_a_run_carries_its_run_key(data_dir):
    """As the services write them (JSON lines), so `$.run_key` finds a run's lines."""
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(JsonFormatter())
    task_runs = logging.getLogger("prefect.task_runs")
    task_runs.addHandler(handler)
    try:
        run = _start(f"logs-{uuid.uuid4().hex[:8]}", source="text:Che, el colectivo está carísimo.")
        _at_gate(run)
        run.decide("reject")
        run.result(120)
    finally:
        task_runs.removeHandler(handler)
    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    mine = [line for line in lines if line.get("flow_run_id") == str(run.id)]
    assert len(mine) >= 3  # mediate, structure, save_draft at least
    assert {line.get("run_key") for line in mine} == {run.parameters["run_key"]}
