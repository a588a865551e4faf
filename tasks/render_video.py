"""Render one published format of a plan: video/short|long/<run_key>/<format>.mp4, sidecars."""

import tempfile
from pathlib import Path

from prefect import task

from editorbot.redaction import redacting_errors
from editorbot.storage import configured_storage
from editorbot.video.ffmpeg import render_file
from editorbot.video.formats import video_key
from editorbot.video.plan import RenderPlan
from editorbot.video.sidecars import ass_document, srt_document
from tasks.cache_policies import STORED_ONCE
from tasks.global_slots import QueuedSlot
from tasks.transient import NETWORK_RETRIES

RENDER_SLOTS = "editorbot-render"
"""Global concurrency limit: a render takes every core, so one at a time, beside transcription."""
_renders_here = QueuedSlot(RENDER_SLOTS)
"""This process's renders queue here, in order, and pass the render slot from one to the next.
In `editorbot serve` every approved run renders in a thread of one process: up to 16 threads
polled the server for the slot, and in a burst of 20 notes on SQLite their 600
refusals (423) wrote the limit's count each and met its lock 340 times (bench/README.md)."""


def render_in_slot(plan: RenderPlan, format_id: str) -> bytes:
    """Render `format_id` while holding a render slot; the MP4's bytes."""
    storage = configured_storage()
    with tempfile.TemporaryDirectory(prefix="editorbot-render-") as tmp:
        workdir = Path(tmp)
        voice = None
        if plan.voice.key is not None:
            voice = workdir / "source.wav"
            voice.write_bytes(storage.get(plan.voice.key))
        # Local runs and `editorbot serve` create the limit; without it, this waits for nothing.
        with _renders_here.held():
            return render_file(plan, format_id, voice, workdir).read_bytes()


@task(persist_result=True, cache_policy=STORED_ONCE, **NETWORK_RETRIES)
@redacting_errors
def render_video(plan: RenderPlan, format_id: str, run_key: str) -> list[str]:
    """Render one format with its .ass and .srt sidecars and the plan beside it; the keys.

    A format already stored from this same plan is kept, not rendered again.
    """
    storage = configured_storage()
    fmt = plan.format(format_id)
    keys = {ext: video_key(run_key, fmt, f"{fmt.id}.{ext}") for ext in ("mp4", "ass", "srt")}
    plan_key = video_key(run_key, fmt, "plan.json")
    plan_json = plan.model_dump_json(indent=2).encode("utf-8")
    done = storage.exists(keys["mp4"]) and storage.exists(plan_key)
    if not (done and storage.get(plan_key) == plan_json):
        video = render_in_slot(plan, format_id)
        storage.put(plan_key, plan_json, "application/json")
        storage.put(keys["ass"], ass_document(plan, format_id).encode("utf-8"), "text/x-ssa")
        storage.put(keys["srt"], srt_document(plan).encode("utf-8"), "application/x-subrip")
        # The video goes last: when it exists, its sidecars and plan are there too.
        storage.put(keys["mp4"], video, "video/mp4")
    return [keys["mp4"], keys["ass"], keys["srt"], plan_key]
