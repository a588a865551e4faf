"""Which failures are worth retrying: the network's, never the user's or ours."""

import importlib

from prefect import Task
from prefect.client.schemas.objects import TaskRun
from prefect.states import State

# Gemini's per-minute quotas refill within a minute; a local server restarting takes seconds.
LLM_RETRY_DELAYS_S = [5, 20, 60]

_TRANSIENT_S3_CODES = {"500", "502", "503", "504", "SlowDown", "Throttling", "RequestTimeout"}
# Request timeout, conflict (OpenAI's "try again"), rate limit; every 5xx is transient too.
_TRANSIENT_HTTP_STATUSES = {408, 409, 429}


def _transient_status(status: object) -> bool:
    return isinstance(status, int) and (status in _TRANSIENT_HTTP_STATUSES or 500 <= status < 600)


def _is_transient_llm(error: BaseException) -> bool:
    """google-genai and openai errors, judged by HTTP status; their transport failures too."""
    import openai
    from google.genai import errors as genai_errors

    if isinstance(error, genai_errors.APIError):
        return _transient_status(error.code)
    if isinstance(error, openai.APIStatusError):
        return _transient_status(error.status_code)
    # APITimeoutError is an APIConnectionError: both mean the request never got an answer.
    if isinstance(error, openai.APIConnectionError):
        return True
    # google-genai lets its HTTP client's errors through; it may use httpx or its fork httpx2.
    for client in ("httpx", "httpx2"):
        try:
            http = importlib.import_module(client)
        except ImportError:
            continue
        if isinstance(error, http.TimeoutException | http.NetworkError | http.RemoteProtocolError):
            return True
    return False


def is_transient(error: BaseException) -> bool:
    """A dropped connection, a timeout, throttling or a 5xx from a service."""
    if isinstance(error, ConnectionError | TimeoutError) or _is_transient_telegram(error):
        return True
    if _is_transient_llm(error):
        return True
    try:
        from botocore.exceptions import ClientError
        from botocore.exceptions import ConnectionError as BotoConnectionError
    except ImportError:  # pragma: no cover - boto3 is a dependency
        return False
    if isinstance(error, BotoConnectionError):
        return True
    if isinstance(error, ClientError):
        response = error.response
        code = str(response.get("Error", {}).get("Code", ""))
        status = str(response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
        return code in _TRANSIENT_S3_CODES or status.startswith("5")
    return False


def _is_transient_telegram(error: BaseException) -> bool:
    """Telegram's network trouble and flood waits; a bad request or a ban is for good."""
    try:
        from telegram.error import BadRequest, NetworkError, RetryAfter
    except ImportError:  # pragma: no cover - python-telegram-bot is a dependency
        return False
    # BadRequest subclasses NetworkError in python-telegram-bot, so it is excluded first.
    if isinstance(error, BadRequest):
        return False
    return isinstance(error, NetworkError | RetryAfter)


def retry_on_transient(task: Task, task_run: TaskRun, state: State) -> bool:
    """Prefect retry condition: retry only when the failure was transient."""
    try:
        state.result()
    except Exception as error:
        return is_transient(error)
    return False


NETWORK_RETRIES = {
    "retries": 3,
    "retry_delay_seconds": [1, 4, 15],
    "retry_condition_fn": retry_on_transient,
}
"""Task options for steps that talk to S3 or Telegram: short backoff, transient errors only."""

LLM_RETRIES = {
    "retries": len(LLM_RETRY_DELAYS_S),
    "retry_delay_seconds": LLM_RETRY_DELAYS_S,
    "retry_condition_fn": retry_on_transient,
}
"""Task options for steps that call a language model: long enough for a quota to refill."""
