"""Which failures are worth retrying: the network's, never the user's or ours.

Each adapter judges its own service's errors (`is_transient` in editorbot/telegram_api.py,
editorbot/storage.py, editorbot/llm/gemini.py, editorbot/llm/openai_compat.py); this module
only asks each of them.
"""

from prefect import Task
from prefect.client.schemas.objects import TaskRun
from prefect.states import State

# Gemini's per-minute quotas refill within a minute; a local server restarting takes seconds.
LLM_RETRY_DELAYS_S = [5, 20, 60]


def is_transient(error: BaseException) -> bool:
    """A dropped connection, a timeout, throttling or a 5xx, as the service's adapter judges it."""
    if isinstance(error, ConnectionError | TimeoutError):
        return True
    # Imported here: a task that never fails need not load every SDK.
    from editorbot import storage, telegram_api
    from editorbot.llm import gemini, openai_compat

    return any(
        adapter.is_transient(error) for adapter in (telegram_api, storage, gemini, openai_compat)
    )


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
