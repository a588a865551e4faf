"""ffmpeg argument lists from a plan, without running ffmpeg."""

import pytest

from editorbot.schemas import Role
from editorbot.video.ffmpeg import RenderFiles, background_arguments, render_arguments
from editorbot.video.plan import Background
from tests.unit.video.conftest import plan_for, script_of, spoken, transcript_of


def _plan(background=None, voiced=True):
    text = "Nadie te cuenta lo que cuesta."
    transcript = transcript_of(spoken(text + " Y punto."), 5.25) if voiced else None
    script = script_of((Role.HOOK, text), (Role.ARGUMENT, "Y punto."))
    if background is None:
        return plan_for(script, transcript)
    return plan_for(script, transcript, background=background)


def _option(arguments: list[str], name: str) -> str:
    return arguments[arguments.index(name) + 1]


def test_the_render_is_h264_yuv420p_aac_with_the_index_first_and_the_voices_length():
    arguments = render_arguments(_plan(), "9x16", RenderFiles())

    assert arguments[0] == "ffmpeg" and all(isinstance(a, str) for a in arguments)
    assert _option(arguments, "-c:v") == "libx264"
    assert _option(arguments, "-pix_fmt") == "yuv420p"
    assert _option(arguments, "-c:a") == "aac"
    assert _option(arguments, "-movflags") == "+faststart"
    assert _option(arguments, "-t") == "5.250"
    assert _option(arguments, "-tune") == "stillimage"
    assert arguments[-1] == "video.mp4"
    assert "voice.wav" in arguments


def test_captions_are_burned_by_libass_with_the_bundled_fonts_only():
    graph = _option(render_arguments(_plan(), "16x9", RenderFiles()), "-filter_complex")

    assert "ass=filename=captions.ass:fontsdir=fonts" in graph
    assert graph.count(";") == 0  # one chain: background, pixel format, captions


def test_a_gradient_is_drawn_once_at_the_formats_size_then_looped():
    plan = _plan()
    drawn = background_arguments(plan, "16x9", RenderFiles())
    graph = _option(render_arguments(plan, "16x9", RenderFiles()), "-filter_complex")

    assert "s=1920x1080" in " ".join(drawn) and _option(drawn, "-frames:v") == "1"
    assert drawn[-1] == "background.png"
    assert graph.startswith("[0:v]format=yuv420p,loop=loop=-1:size=1")


def test_a_plain_colour_needs_no_still_and_a_brand_image_is_cropped_to_cover():
    colour = _plan(Background(kind="colour", colours=["#112233"]))
    image = _plan(Background(kind="image", image="/srv/brand/logo.jpg"))
    files = RenderFiles(brand_image="brand.jpg")

    assert "color=c=0x112233:s=1080x1920:r=30" in render_arguments(colour, "9x16", files)
    drawn = background_arguments(image, "1x1", files)
    assert _option(drawn, "-i") == "brand.jpg"
    assert "force_original_aspect_ratio=increase,crop=1080:1080" in _option(drawn, "-vf")


def test_a_typed_idea_gets_a_silent_track_of_the_storyboards_length():
    plan = _plan(voiced=False)
    arguments = render_arguments(plan, "preview", RenderFiles())

    assert any(a.startswith("anullsrc=") for a in arguments)
    assert "voice.wav" not in arguments
    assert _option(arguments, "-t") == f"{plan.duration_s:.3f}"


def test_file_names_that_would_need_escaping_in_a_filter_graph_are_refused():
    with pytest.raises(ValueError, match="plain file name"):
        RenderFiles(subtitles="my captions:1.ass")
