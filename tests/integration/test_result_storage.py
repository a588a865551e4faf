"""Task results live beside the artifacts: under results/ in the bucket, or in the data dir."""

import os
import uuid
from pathlib import Path

import boto3
import pytest
from prefect import get_client

from editorbot.run_key import make_run_key
from editorbot.schemas import RunOptions
from flows.approval import decide
from flows.local_run import LocalRun
from flows.runs import wait_for_end, wait_for_state
from flows.serve import submit
from harness.runner import first_result, served_deployment, task_states
from tests.conftest import DATA

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]
OPTIONS = RunOptions(language="es", dialect="rioplatense", template="provocation")
NOTE = str(DATA / "es_rioplatense_synth.ogg")
STEPS = ("download", "normalize_audio", "transcribe", "mediate", "structure")


def test_a_suspended_run_resumes_on_a_new_runner_from_results_in_s3(
    s3_endpoint, s3_bucket, tmp_path
):
    note = uuid.uuid4().hex[:8]
    storage = {"EDITORBOT_STORAGE": f"s3://{s3_bucket}", "EDITORBOT_S3_ENDPOINT_URL": s3_endpoint}
    run_key = make_run_key("served", note)
    with served_deployment(tmp_path / "first-runner", **storage):
        run = submit(NOTE, run_key, OPTIONS, f"note-{note}")
        assert wait_for_state(run.id, lambda s: s.is_paused()).name == "Suspended"

    # Read as the runner reads: the runner role's statements, enforced.
    s3 = boto3.client("s3", endpoint_url=s3_endpoint)
    listed = s3.list_objects_v2(Bucket=s3_bucket, Prefix="results/")
    in_bucket = {obj["Key"] for obj in listed.get("Contents", [])}
    transcript = first_result(run.id, "transcribe")
    assert f"results/{transcript.storage_key}" in in_bucket, (transcript, in_bucket)
    with get_client(sync_client=True) as client:
        block = client.read_block_document(transcript.storage_block_id, include_secrets=True)
    assert block.data["bucket_name"] == s3_bucket
    assert block.data["bucket_folder"] == "results"
    credentials = block.data["credentials"]
    assert credentials["aws_client_parameters"]["endpoint_url"] == s3_endpoint
    # The runner signs with the environment's keys; none of them is stored on the server.
    assert credentials["aws_access_key_id"] is None, credentials
    assert credentials["aws_secret_access_key"] is None, credentials
    assert os.environ["AWS_SECRET_ACCESS_KEY"] not in block.model_dump_json()
    # None of them is on the first runner's disk (its PREFECT_HOME is under tmp_path).
    on_disk = {p.name for p in tmp_path.rglob("*") if p.is_file()}
    assert not on_disk & {key.rsplit("/", 1)[-1] for key in in_bucket}

    # A second runner with an empty disk of its own, as on a rebuilt VM, resumes the run.
    with served_deployment(tmp_path / "second-runner", **storage):
        decide(run.id, "approve")
        final = wait_for_end(run.id)
    assert final.name == "Published", final.message
    # Both stages' results were found in the bucket by a runner that never ran them.
    for stage in ("hear", "draft"):
        assert task_states(run.id, stage) == ["Completed", "Cached"], stage


def test_local_runs_keep_results_in_the_data_dir(data_dir):
    run = LocalRun(NOTE, make_run_key("local", "results"), OPTIONS)
    assert run.watch().is_paused()
    results = (data_dir / "results").resolve()
    for step in STEPS:
        path = Path(first_result(run.id, step).storage_key)  # absolute for local storage
        assert path.parent == results and path.is_file(), (step, path)
    run.decide("approve")
    assert run.result(120).name == "Published"
