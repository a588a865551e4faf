"""The cut as an OpenTimelineIO timeline, so a human editor can open it in DaVinci Resolve."""

import opentimelineio as otio

from editorbot.video.plan import RenderPlan

_ROLE_COLOURS = {
    "hook": otio.schema.MarkerColor.RED,
    "provocation": otio.schema.MarkerColor.RED,
    "conclusion": otio.schema.MarkerColor.GREEN,
    "call_to_action": otio.schema.MarkerColor.GREEN,
    "counterpoint": otio.schema.MarkerColor.ORANGE,
}


def _range(start: float, end: float, rate: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(
        otio.opentime.RationalTime(round(start * rate), rate),
        otio.opentime.RationalTime(max(round((end - start) * rate), 1), rate),
    )


def timeline_document(
    plan: RenderPlan,
    video: dict[str, str],
    voice_url: str | None,
    sidecars: dict[str, str],
    fps: int = 30,
) -> str:
    """The timeline as .otio JSON: the rendered video (`video` maps format id to where it
    is) and the voice, a marker per beat carrying its role and text, the sidecars in metadata."""
    whole = _range(0.0, plan.duration_s, fps)
    timeline = otio.schema.Timeline(name=f"EditorBot {plan.run_key}")
    timeline.global_start_time = otio.opentime.RationalTime(0, fps)
    timeline.metadata["editorbot"] = {
        "run_key": plan.run_key,
        "script_id": plan.script_id,
        "template": plan.template_id,
        "render_plan_version": plan.version,
        "videos": dict(video),
        "sidecars": dict(sidecars),
    }
    if video:
        track = otio.schema.Track(name="Video", kind=otio.schema.TrackKind.Video)
        format_id, url = next(iter(video.items()))
        track.append(
            otio.schema.Clip(
                name=f"{format_id} render",
                media_reference=otio.schema.ExternalReference(
                    target_url=url, available_range=whole
                ),
                source_range=whole,
            )
        )
        timeline.tracks.append(track)
    voice_track = otio.schema.Track(name="Voice", kind=otio.schema.TrackKind.Audio)
    reference = (
        otio.schema.ExternalReference(target_url=voice_url, available_range=whole)
        if voice_url
        else otio.schema.MissingReference(name="silent storyboard: no recording")
    )
    voice = otio.schema.Clip(name="Voice", media_reference=reference, source_range=whole)
    for beat in plan.beats:
        voice.markers.append(
            otio.schema.Marker(
                name=f"{beat.beat_id} {beat.role.value}",
                marked_range=_range(beat.start, beat.end, fps),
                color=_ROLE_COLOURS.get(beat.role.value, otio.schema.MarkerColor.BLUE),
                metadata={
                    "editorbot": {
                        "beat_id": beat.beat_id,
                        "role": beat.role.value,
                        "title": beat.title,
                        "text": beat.text,
                        "timing": beat.timing,
                    }
                },
            )
        )
    voice_track.append(voice)
    timeline.tracks.append(voice_track)
    return otio.adapters.write_to_string(timeline, "otio_json")
