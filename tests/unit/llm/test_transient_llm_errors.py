"""Which language-model failures the tasks retry: rate limits, 5xx and the network, not keys."""

import httpx
import httpx2
import openai
import pytest
from google.genai import errors as genai_errors

from tasks.transient import is_transient

URL = "http://127.0.0.1:9/v1/chat/completions"


def openai_status_error(status: int) -> openai.APIStatusError:
    response = httpx.Response(status, request=httpx.Request("POST", URL), json={"error": {}})
    client = openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="fake", max_retries=0)
    return client._make_status_error_from_response(response)


def genai_error(status: int) -> genai_errors.APIError:
    body = {"error": {"code": status, "message": "m", "status": "S"}}
    with pytest.raises(genai_errors.APIError) as raised:
        genai_errors.APIError.raise_error(status, body, None)
    return raised.value


@pytest.mark.parametrize(
    ("status", "transient"),
    [
        (429, True),
        (500, True),
        (503, True),
        (408, True),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
    ],
)
def test_sdk_errors_are_judged_by_status(status, transient):
    assert is_transient(genai_error(status)) is transient
    assert is_transient(openai_status_error(status)) is transient


def test_openai_sdk_classes_map_as_expected():
    assert isinstance(openai_status_error(429), openai.RateLimitError)
    assert isinstance(openai_status_error(401), openai.AuthenticationError)


@pytest.mark.parametrize(
    "error",
    [
        openai.APIConnectionError(request=httpx.Request("POST", URL)),
        openai.APITimeoutError(request=httpx.Request("POST", URL)),
        httpx2.ConnectError("refused"),
        httpx2.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
    ],
)
def test_network_failures_are_transient(error):
    assert is_transient(error)


def test_our_own_errors_are_not_transient():
    from editorbot.errors import InvalidScript, LLMAuthError

    assert not is_transient(LLMAuthError("refused"))
    assert not is_transient(InvalidScript("no fit"))
    assert not is_transient(ValueError("bug"))


def test_the_llm_tasks_retry_only_transient_errors_with_backoff():
    from tasks.mediate import mediate
    from tasks.structure import structure
    from tasks.transient import retry_on_transient

    for task in (mediate, structure):
        assert task.retries == 3
        assert task.retry_condition_fn is retry_on_transient
        assert task.retry_delay_seconds == sorted(task.retry_delay_seconds)
        assert task.retry_delay_seconds[-1] >= 60  # a per-minute quota has refilled by then
