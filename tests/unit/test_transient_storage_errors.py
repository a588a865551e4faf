"""Which S3 failures the tasks retry: throttling, timeouts, 5xx and lost connections."""

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from tasks.transient import is_transient


def client_error(code: str, status: int) -> ClientError:
    response = {
        "Error": {"Code": code, "Message": "m"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "PutObject")


@pytest.mark.parametrize(
    ("code", "status", "transient"),
    [
        ("SlowDown", 503, True),
        ("InternalError", 500, True),
        ("RequestTimeout", 400, True),
        ("AccessDenied", 403, False),
        ("NoSuchBucket", 404, False),
    ],
)
def test_s3_answers_are_judged_by_code_and_status(code, status, transient):
    assert is_transient(client_error(code, status)) is transient


def test_an_unreachable_endpoint_is_transient():
    assert is_transient(EndpointConnectionError(endpoint_url="http://127.0.0.1:9"))
