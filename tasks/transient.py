"""Which failures are worth retrying: the network's, never the user's or ours."""

from prefect import Task
from prefect.client.schemas.objects import TaskRun
from prefect.states import State

_TRANSIENT_S3_CODES = {"500", "502", "503", "504", "SlowDown", "Throttling", "RequestTimeout"}


def is_transient(error: BaseException) -> bool:
    """A dropped connection, a timeout, throttling or a 5xx from a service."""
    if isinstance(error, ConnectionError | TimeoutError) or _is_transient_telegram(error):
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
