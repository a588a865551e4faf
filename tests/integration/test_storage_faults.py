"""S3 answering 503 SlowDown / 500 InternalError: a run rides out a short outage, and a long
one fails it clearly with nothing half-published; a replay then publishes once."""

import pytest

from editorbot.run_key import make_run_key
from editorbot.schemas import RunOptions, Script
from editorbot.storage import open_storage
from flows.local_run import LocalRun
from flows.replay import schedule_replay
from harness.fakes.s3_faults import FaultyS3
from tests.conftest import DATA

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]
OPTIONS = RunOptions(language="es", dialect="rioplatense", template="provocation")


@pytest.fixture
def faulty_s3(s3_endpoint, s3_bucket, monkeypatch):
    """Storage in S3 behind the fault-injecting proxy; yields (proxy, storage read directly)."""
    with FaultyS3(s3_endpoint) as proxy:
        monkeypatch.setenv("EDITORBOT_STORAGE", f"s3://{s3_bucket}")
        monkeypatch.setenv("EDITORBOT_S3_ENDPOINT_URL", proxy.url)
        yield proxy, open_storage(f"s3://{s3_bucket}", s3_endpoint_url=s3_endpoint)


def _start(name: str) -> LocalRun:
    return LocalRun(str(DATA / "es_rioplatense_synth.ogg"), make_run_key("s3", name), OPTIONS)


def _assert_published_once(storage, run: LocalRun) -> None:
    run_key = run.parameters["run_key"]
    assert storage.list("scripts/") == [f"scripts/{run_key}.json", f"scripts/{run_key}.md"]
    Script.model_validate_json(storage.get(f"scripts/{run_key}.json"))


def test_a_short_s3_outage_is_ridden_out_by_the_retries(faulty_s3):
    proxy, storage = faulty_s3
    # More errors in a row than boto3 retries one call: the task's own retry takes over.
    proxy.fail_next(8)
    run = _start("short-outage")
    assert run.watch().is_paused()
    proxy.fail_next(8)  # and again while publishing
    run.decide("approve")
    final = run.result(300)
    assert final.name == "Published", final.message
    assert proxy.faults == 16
    _assert_published_once(storage, run)


def test_a_long_s3_outage_fails_the_run_clearly_and_publishes_nothing(faulty_s3):
    proxy, storage = faulty_s3
    run = _start("long-outage")
    assert run.watch().is_paused()
    proxy.fail_all()
    run.decide("approve")
    failed = run.result(300)
    # e.g. "ClientError: An error occurred (InternalError) when calling the GetObject
    # operation (reached max retries: 2): We encountered an internal error. …"
    assert failed.is_failed()
    assert "when calling the" in failed.message and "reached max retries" in failed.message
    assert storage.list("scripts/") == []

    proxy.heal()
    replay = LocalRun.again(schedule_replay(run.id))
    final = replay.result(300)  # the reviewer's answer is kept: no second decision
    assert final.name == "Published", final.message
    _assert_published_once(storage, run)
