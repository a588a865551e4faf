"""Where Prefect keeps task results: beside the artifacts, under `results/`.

A run suspended at the gate holds no process; after the decision it reruns from the top and
takes every finished stage (flows/stages.py) from its persisted result. Those results must
therefore live where any runner, on any machine, finds them: in the bucket when artifacts go
to S3, in the data directory when they go to disk. Prefect chooses a task's result storage
from two settings, `PREFECT_RESULTS_DEFAULT_STORAGE_BLOCK` (a saved block, here
prefect-aws's S3Bucket) and `PREFECT_RESULTS_LOCAL_STORAGE_PATH`. `editorbot serve` sets them around
its runner, which hands its settings to every flow-run process it starts; LocalRun sets them
around its run; `editorbot transcriber` around its task worker, which reads the notes handed
to it (`PREFECT_TASKS_SCHEDULING_DEFAULT_STORAGE_BLOCK`, the same place) and writes
transcripts there.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect.settings import (
    PREFECT_RESULTS_DEFAULT_STORAGE_BLOCK,
    PREFECT_RESULTS_LOCAL_STORAGE_PATH,
    PREFECT_TASKS_SCHEDULING_DEFAULT_STORAGE_BLOCK,
    temporary_settings,
)

from editorbot.layout import PREFIXES
from editorbot.settings import Settings, get_settings
from editorbot.storage import FileStorage, S3Storage, configured_storage

RESULTS_PREFIX = PREFIXES["results"].rstrip("/")


def result_storage_settings(settings: Settings | None = None) -> dict[Any, Any]:
    """The Prefect settings that put task results under the storage's `results/`.

    For S3 this saves an S3Bucket block on the Prefect server if it is not there yet: it
    names the bucket, folder and endpoint, never a credential (boto3's default chain, the
    environment, or on the VM the container role's credential_process, signs each request).
    """
    settings = settings or get_settings()
    storage = configured_storage(settings)
    if isinstance(storage, FileStorage):
        return {
            PREFECT_RESULTS_LOCAL_STORAGE_PATH: storage.root / RESULTS_PREFIX,
            # A block named elsewhere (an operator's variable) would win over the path.
            PREFECT_RESULTS_DEFAULT_STORAGE_BLOCK: None,
            PREFECT_TASKS_SCHEDULING_DEFAULT_STORAGE_BLOCK: None,
        }
    if isinstance(storage, S3Storage):
        slug = _saved_s3_block(storage.bucket, RESULTS_PREFIX, settings)
        return {
            PREFECT_RESULTS_DEFAULT_STORAGE_BLOCK: slug,
            PREFECT_TASKS_SCHEDULING_DEFAULT_STORAGE_BLOCK: slug,
        }
    raise TypeError(f"no result storage for {type(storage).__name__}")  # pragma: no cover


@contextmanager
def results_beside_artifacts(settings: Settings | None = None) -> Iterator[None]:
    """Within this block, flows run here, or spawned by a runner, persist results to storage."""
    with temporary_settings(updates=result_storage_settings(settings)):
        yield


def _saved_s3_block(bucket: str, folder: str, settings: Settings) -> str:
    """The slug of the S3Bucket block for `s3://bucket/folder/`, saved once per server."""
    from prefect_aws import AwsCredentials, S3Bucket
    from prefect_aws.client_parameters import AwsClientParameters

    endpoint = settings.s3_endpoint_url
    # The name is a digest of everything the block holds: a block of that name, whoever saved
    # it, is this one, and runners with different buckets on one server never swap blocks.
    digest = hashlib.sha256(f"{bucket}\n{folder}\n{endpoint or ''}".encode()).hexdigest()
    name = f"editorbot-results-{digest[:16]}"
    try:
        S3Bucket.load(name)
    except ValueError:  # not saved on this server yet
        block = S3Bucket(
            bucket_name=bucket,
            bucket_folder=folder,
            credentials=AwsCredentials(
                aws_client_parameters=AwsClientParameters(endpoint_url=endpoint)
            ),
        )
        # overwrite: another runner may have saved the same block since the load above.
        block.save(name, overwrite=True)
    return f"{S3Bucket.get_block_type_slug()}/{name}"
