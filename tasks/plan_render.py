"""Compile the approved script and the voice's word timings into a render plan."""

from dataclasses import dataclass
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import INPUTS, TASK_SOURCE, CachePolicy
from prefect.utilities.hashing import hash_objects

from editorbot.run_key import run_key_slug
from editorbot.schemas import Script, StoredAudio, Transcript
from editorbot.settings import get_settings
from editorbot.templates import load_template
from editorbot.video.background import OfflineBackgrounds
from editorbot.video.compiler import compile_render_plan
from editorbot.video.formats import FORMATS
from editorbot.video.plan import RenderPlan, VoiceTrack


@dataclass
class BackgroundConfig(CachePolicy):
    """The brand image decides the plan's background: another image is another plan."""

    def compute_key(self, task_ctx, inputs, flow_parameters, **kwargs: Any) -> str | None:
        return hash_objects(str(get_settings().video_background_image))


def _summary(plan: RenderPlan) -> str:
    rows = [
        f"| {b.beat_id} | {b.role.value} | {b.start:.2f}–{b.end:.2f} s | {b.timing} | "
        f"{len(b.chunks)} | {b.chunks[0].text if b.chunks else ''} |"
        for b in plan.beats
    ]
    return "\n".join(
        [
            f"# Render plan v{plan.version} · {plan.run_key}",
            "",
            f"Voice {plan.duration_s:.2f} s · formats "
            + ", ".join(f"{f.id} {f.width}×{f.height}" for f in plan.formats)
            + f" · background {plan.background.kind}",
            "",
            "| beat | role | on the voice | timing | chunks | first caption |",
            "|---|---|---|---|---|---|",
            *rows,
        ]
    )


@task(persist_result=True, cache_policy=INPUTS + TASK_SOURCE + BackgroundConfig())
def plan_render(
    script: Script,
    transcript: Transcript | None,
    voice: StoredAudio | None,
    run_key: str,
) -> RenderPlan:
    """The render plan of a draft, shown on the run page: every format is in it, so the
    preview chunks the captions as the published videos will, and rendering one more format
    later reuses the same plan (and leaves the ones already rendered alone)."""
    settings = get_settings()
    family = load_template(script.template_id).family
    track = (
        VoiceTrack(key=voice.key, sha256=voice.sha256, duration_s=voice.duration_s)
        if voice is not None and voice.duration_s and transcript is not None
        else None
    )
    plan = compile_render_plan(
        script,
        transcript if track is not None else None,
        track,
        list(FORMATS.values()),
        OfflineBackgrounds(settings.video_background_image).background(script, family),
        run_key,
        family,
    )
    create_markdown_artifact(
        markdown=_summary(plan),
        key=f"render-plan-{run_key_slug(run_key)}",
        description=f"Render plan of {run_key}",
    )
    return plan
