"""Render a draft's preview (drafts/<run_key>/preview-<revision>.mp4) and send it to the chat."""

import logging

from prefect import task
from prefect.runtime import task_run
from telegram.error import TelegramError

from editorbot.errors import EditorBotError
from editorbot.redaction import redacting_errors
from editorbot.schemas import ChatTarget
from editorbot.storage import configured_storage, draft_key
from editorbot.video.plan import RenderPlan
from tasks.cache_policies import STORED_ONCE
from tasks.notify import PreviewFailed, PreviewReady, notify
from tasks.render_video import render_in_slot
from tasks.transient import NETWORK_RETRIES, is_transient

log = logging.getLogger(__name__)


def _last_attempt(error: Exception) -> bool:
    """Whether Prefect gives up after this failure: it retries only transient errors, and
    only NETWORK_RETRIES times."""
    return not is_transient(error) or task_run.run_count > NETWORK_RETRIES["retries"]


# The flow does not wait for this task: it runs beside the gate (flows/previews.py), so it
# tells the chat itself, the preview or a sentence saying there is none.
@task(persist_result=True, cache_policy=STORED_ONCE, **NETWORK_RETRIES)
@redacting_errors
def render_preview(
    plan: RenderPlan, run_key: str, revision: int, chat: ChatTarget | None = None
) -> str:
    """Render the plan's 540×960 preview of draft `revision` and send it to `chat`; its key."""
    key = draft_key(run_key, f"preview-{revision}.mp4")
    try:
        configured_storage().put(key, render_in_slot(plan, "preview"), "video/mp4")
    except Exception as error:
        if chat is not None and _last_attempt(error):
            try:
                notify.fn(chat, PreviewFailed(revision=revision))
            except (TelegramError, EditorBotError) as refused:
                log.warning("Could not tell the chat that the preview failed: %s", refused)
        raise
    if chat is not None:
        notify.fn(chat, PreviewReady(key=key, revision=revision, duration_s=plan.duration_s))
    return key
