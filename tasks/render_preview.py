"""Render the reviewer's preview of a draft: drafts/<run_key>/preview-<revision>.mp4."""

from prefect import task

from editorbot.storage import configured_storage, draft_key
from editorbot.video.plan import RenderPlan
from tasks.cache_policies import STORED_ONCE
from tasks.render_video import render_in_slot
from tasks.transient import NETWORK_RETRIES


@task(persist_result=True, cache_policy=STORED_ONCE, **NETWORK_RETRIES)
def render_preview(plan: RenderPlan, run_key: str, revision: int) -> str:
    """Render the plan's 540×960 preview of draft `revision`; its key."""
    key = draft_key(run_key, f"preview-{revision}.mp4")
    configured_storage().put(key, render_in_slot(plan, "preview"), "video/mp4")
    return key
