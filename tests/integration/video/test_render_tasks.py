"""The render tasks in real flow runs: what they store, and a format rendered once, not twice."""

import opentimelineio as otio
import pytest
from prefect import flow

from editorbot.storage import configured_storage
from editorbot.video.plan import load_render_plan
from tasks.export_timeline import export_timeline
from tasks.plan_render import plan_render
from tasks.render_preview import render_preview
from tasks.render_video import render_video
from tests.integration.video.conftest import RUN_KEY, approved_script

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]


@flow
def _render(formats: tuple[str, ...]) -> dict[str, list[str]]:
    # A typed idea: no recording, so a short silent storyboard (10 s) is what renders.
    plan = plan_render(approved_script(), None, None, RUN_KEY)
    rendered = {fmt: render_video(plan, fmt, RUN_KEY) for fmt in formats}
    export_timeline(plan, rendered, RUN_KEY)
    return rendered


def _stamps(data_dir) -> dict[str, int]:
    return {str(p.relative_to(data_dir)): p.stat().st_mtime_ns for p in data_dir.rglob("*.mp4")}


def test_each_format_lands_on_its_shelf_with_sidecars_plan_and_timeline(data_dir):
    rendered = _render(("9x16", "16x9"))
    storage = configured_storage()
    short, long = f"video/short/{RUN_KEY}", f"video/long/{RUN_KEY}"

    assert rendered["9x16"] == [f"{short}/9x16.{e}" for e in ("mp4", "ass", "srt")] + [
        f"{short}/plan.json"
    ]
    assert rendered["16x9"][0] == f"{long}/16x9.mp4"
    plan = load_render_plan(storage.get(f"{long}/plan.json"))
    assert storage.get(f"{short}/plan.json") == storage.get(f"{long}/plan.json")
    assert {f.id for f in plan.formats} == {"9x16", "16x9", "1x1", "4x5", "preview"}
    assert plan.voice.key is None and plan.duration_s == 10
    assert storage.get(f"{short}/9x16.mp4")[4:8] == b"ftyp"
    timeline = otio.adapters.read_from_string(
        storage.get(f"{short}/timeline.otio").decode(), "otio_json"
    )
    roles = [m.metadata["editorbot"]["role"] for m in timeline.audio_tracks()[0][0].markers]
    assert roles == ["hook", "argument"]


def test_a_second_run_renders_only_the_format_it_lacks(data_dir):
    _render(("9x16",))
    before = _stamps(data_dir)

    _render(("9x16", "16x9"))
    after = _stamps(data_dir)

    assert after == before | {
        f"video/long/{RUN_KEY}/16x9.mp4": after[f"video/long/{RUN_KEY}/16x9.mp4"]
    }


def test_a_format_stored_from_the_same_plan_is_kept_even_without_the_cache(data_dir):
    @flow
    def render_again() -> list[str]:
        plan = plan_render(approved_script(), None, None, RUN_KEY)
        return render_video.with_options(refresh_cache=True)(plan, "9x16", RUN_KEY)

    first = _render(("9x16",))["9x16"]
    before = _stamps(data_dir)

    assert render_again() == first
    assert _stamps(data_dir) == before


def test_the_preview_of_each_revision_is_kept_with_the_draft(data_dir):
    @flow
    def previews() -> list[str]:
        plan = plan_render(approved_script(), None, None, RUN_KEY)
        return [render_preview(plan, RUN_KEY, revision) for revision in (0, 1)]

    keys = previews()

    assert keys == [f"drafts/{RUN_KEY}/preview-0.mp4", f"drafts/{RUN_KEY}/preview-1.mp4"]
    assert all((data_dir / key).stat().st_size > 1000 for key in keys)
