"""moto in server mode: real boto3 calls over HTTP to a local SSM Parameter Store."""

import contextlib

import boto3

from harness.fake_secrets import AWS_SECRET_ACCESS_KEY
from harness.s3 import free_port

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing-not-a-real-key",
    "AWS_SECRET_ACCESS_KEY": AWS_SECRET_ACCESS_KEY,
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
}


@contextlib.contextmanager
def moto_ssm():
    """A moto server on loopback; yields (endpoint URL, an SSM client speaking to it)."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        client = boto3.client(
            "ssm",
            endpoint_url=endpoint,
            region_name=FAKE_AWS["AWS_DEFAULT_REGION"],
            aws_access_key_id=FAKE_AWS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_AWS["AWS_SECRET_ACCESS_KEY"],
        )
        yield endpoint, client
    finally:
        server.stop()
