"""The editor's timeline: voice, a marker per beat with its role, the sidecars."""

import opentimelineio as otio

from editorbot.schemas import Role
from editorbot.video.timeline import timeline_document
from tests.unit.video.conftest import plan_for, script_of, spoken, transcript_of


def test_the_timeline_opens_with_the_voice_the_render_and_a_marker_per_beat():
    hook, argument = "Nadie te cuenta esto.", "Y el sueldo sigue igual."
    plan = plan_for(
        script_of((Role.HOOK, hook), (Role.ARGUMENT, argument)),
        transcript_of(spoken(f"{hook} {argument}"), 5.0),
    )
    document = timeline_document(
        plan,
        {"9x16": "/data/video/short/x/9x16.mp4"},
        "/data/audio/cleaned/x.wav",
        {"video/short/x/9x16.srt": "/data/video/short/x/9x16.srt"},
    )
    timeline = otio.adapters.read_from_string(document, "otio_json")
    (video,), (voice_track,) = timeline.video_tracks(), timeline.audio_tracks()
    voice = voice_track[0]

    assert video[0].media_reference.target_url.endswith("9x16.mp4")
    assert voice.media_reference.target_url == "/data/audio/cleaned/x.wav"
    assert timeline.duration().to_seconds() == 5.0
    markers = [(m.metadata["editorbot"]["role"], m.marked_range) for m in voice.markers]
    assert [role for role, _ in markers] == ["hook", "argument"]
    assert markers[1][1].start_time.to_seconds() == round(plan.beats[1].start * 30) / 30
    assert timeline.metadata["editorbot"]["sidecars"] == {
        "video/short/x/9x16.srt": "/data/video/short/x/9x16.srt"
    }


def test_a_storyboard_has_no_recording_to_reference():
    plan = plan_for(script_of((Role.HOOK, "Nadie."), (Role.ARGUMENT, "Nunca.")), None)
    timeline = otio.adapters.read_from_string(timeline_document(plan, {}, None, {}), "otio_json")

    assert isinstance(timeline.audio_tracks()[0][0].media_reference, otio.schema.MissingReference)
