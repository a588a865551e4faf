"""Write the editor's timeline: video/short/<run_key>/timeline.otio."""

from prefect import task

from editorbot.storage import configured_storage
from editorbot.video.formats import format_named, video_key
from editorbot.video.plan import RenderPlan
from editorbot.video.timeline import timeline_document
from tasks.cache_policies import STORED_ONCE
from tasks.transient import NETWORK_RETRIES


@task(persist_result=True, cache_policy=STORED_ONCE, **NETWORK_RETRIES)
def export_timeline(plan: RenderPlan, rendered: dict[str, list[str]], run_key: str) -> str:
    """The .otio for the rendered formats (`rendered`: format id to its keys); its key."""
    storage = configured_storage()
    videos = {fmt: storage.location(keys[0]) for fmt, keys in rendered.items()}
    sidecars = {key: storage.location(key) for keys in rendered.values() for key in keys[1:]}
    voice = storage.location(plan.voice.key) if plan.voice.key else None
    key = video_key(run_key, format_named("9x16"), "timeline.otio")
    document = timeline_document(
        plan, videos, voice, sidecars, fps=plan.format(next(iter(rendered))).fps if rendered else 30
    )
    storage.put(key, document.encode("utf-8"), "application/json")
    return key
