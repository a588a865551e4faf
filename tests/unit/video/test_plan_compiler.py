"""The render plan compiler: beats on the voice, captions in chunks, storyboards, refusals."""

import pytest

from editorbot.schemas import Role, Segment, Transcript
from editorbot.video.captions import fit_lines
from editorbot.video.formats import FORMATS
from editorbot.video.plan import InvalidRenderPlan, load_render_plan
from tests.unit.video.conftest import plan_for, script_of, spoken, transcript_of

HOOK = "Nadie te cuenta lo que cuesta un café en esta ciudad."
ARGUMENT = "Cada mañana pago el doble que hace un año y el sueldo sigue igual."


def _words_said(hook: str = HOOK, argument: str = ARGUMENT):
    return spoken(f"{hook} {argument}")


def test_beats_are_anchored_where_the_voice_says_them_and_tile_the_recording():
    words = _words_said()
    plan = plan_for(
        script_of((Role.HOOK, HOOK), (Role.ARGUMENT, ARGUMENT)), transcript_of(words, 12.0)
    )
    hook, argument = plan.beats
    first_argument_word = words[len(HOOK.split())]

    assert (hook.timing, argument.timing) == ("aligned", "aligned")
    assert hook.start == 0.0 and argument.start == first_argument_word.start
    assert hook.end == argument.start and argument.end == plan.duration_s == 12.0
    # Every caption word carries the time Whisper heard it at.
    planned = [w for beat in plan.beats for chunk in beat.chunks for w in chunk.words]
    assert [(w.text, w.start, w.end) for w in planned] == [(w.text, w.start, w.end) for w in words]


def test_captions_are_two_to_four_words_on_at_most_two_lines_in_every_format():
    long_beat = (
        "Esta ciudad cobra por respirar, por caminar y por esperar el autobús que nunca llega "
        "a tiempo mientras el reloj corre y corre sin parar ni un segundo."
    )
    plan = plan_for(
        script_of((Role.HOOK, HOOK), (Role.ARGUMENT, long_beat)),
        transcript_of(_words_said(argument=long_beat), 20.0),
    )
    chunks = [chunk for beat in plan.beats for chunk in beat.chunks]

    assert all(2 <= len(chunk.words) <= 4 for chunk in chunks)
    for fmt in plan.formats:
        for chunk in chunks:
            lines = fit_lines([w.text for w in chunk.words], fmt.caption_px, fmt.text_width_px)
            assert lines is not None and len(lines) <= 2, (fmt.id, chunk.text)
    # A chunk ends at a clause: "ciudad." never shares a chunk with the next sentence.
    assert any(chunk.text.endswith("ciudad.") for chunk in chunks)


def test_a_pause_in_the_voice_ends_a_chunk():
    text = "Uno dos tres cuatro cinco seis"
    words = spoken(text, pause_after=2)
    plan = plan_for(
        script_of((Role.HOOK, text), (Role.ARGUMENT, "siete ocho")),
        transcript_of(words + spoken("siete ocho", start=6.0), 8.0),
    )

    assert plan.beats[0].chunks[0].text == "Uno dos"


def test_words_mediation_changed_are_spread_across_the_stretch_they_replace():
    said = "Mirá che el pibe llegó re tarde al laburo."
    approved = "Mira, el muchacho llegó muy tarde al trabajo."
    words = spoken(said)
    plan = plan_for(
        script_of((Role.HOOK, approved), (Role.ARGUMENT, "Y nadie dijo nada.")),
        transcript_of(words + spoken("Y nadie dijo nada.", start=5.0), 7.0),
    )
    hook = plan.beats[0]
    timed = {w.text: w for chunk in hook.chunks for w in chunk.words}
    heard = {w.text: w for w in words}

    assert hook.timing == "spread"
    # Heard words keep their times; "muchacho" sits where "pibe" was said, between its
    # heard neighbours "el" and "llegó".
    assert timed["llegó"].start == heard["llegó"].start
    assert heard["el"].end <= timed["muchacho"].start < timed["llegó"].start
    assert timed["muy"].start >= heard["llegó"].end
    # Approved words, never the spoken ones, are what is burned in.
    assert "pibe" not in hook.text and "muchacho" in hook.text


def test_a_transcript_from_before_word_timings_spreads_each_segment():
    segments = [
        Segment(start=0.0, end=2.0, text="Nadie te cuenta"),
        Segment(start=3.0, end=5.0, text="lo que cuesta"),
    ]
    transcript = Transcript(
        language="es", duration_s=6.0, segments=segments, engine="old", model="base"
    )
    plan = plan_for(
        script_of((Role.HOOK, "Nadie te cuenta"), (Role.ARGUMENT, "lo que cuesta")), transcript
    )

    assert plan.beats[1].start == 3.0
    assert plan.beats[1].chunks[0].words[0].start == 3.0


def test_a_typed_idea_becomes_a_silent_storyboard_timed_by_the_beats():
    script = script_of((Role.HOOK, HOOK), (Role.ARGUMENT, ARGUMENT))
    plan = plan_for(script, None)
    hook_seconds = script.beats[0].estimated_duration_seconds

    assert plan.voice.key is None
    assert plan.duration_s == script.total_duration_seconds
    assert [b.timing for b in plan.beats] == ["storyboard", "storyboard"]
    assert plan.beats[1].start == hook_seconds
    assert plan.beats[0].chunks[0].start == 0.0


def test_emoji_are_dropped_and_spanish_letters_kept():
    text = "¡Qué año! 😀 El niño pidió un café ☕️ y pagó 👍🏽 con pingüinos 🐧. Sí — claro"
    plan = plan_for(script_of((Role.HOOK, text), (Role.ARGUMENT, "Así fue.")), None)
    burned = " ".join(chunk.text for chunk in plan.beats[0].chunks)

    assert burned == "¡Qué año! El niño pidió un café y pagó con pingüinos. Sí — claro"
    assert "Sí —" in [w.text for c in plan.beats[0].chunks for w in c.words]


def test_a_beat_of_nothing_but_emoji_shows_nothing():
    plan = plan_for(script_of((Role.HOOK, "🔥🔥🔥"), (Role.ARGUMENT, "Lo demás sí.")), None)

    assert [b.beat_id for b in plan.beats] == ["b02"]
    assert plan.beats[0].start == 0.0


def test_every_format_of_the_issue_with_its_size_and_safe_area():
    sizes = {f.id: (f.width, f.height) for f in FORMATS.values()}
    assert sizes == {
        "9x16": (1080, 1920),
        "16x9": (1920, 1080),
        "1x1": (1080, 1080),
        "4x5": (1080, 1350),
        "preview": (540, 960),
    }
    vertical = FORMATS["9x16"].safe
    assert vertical.top >= 0.15 and vertical.bottom >= 0.25
    assert FORMATS["preview"].safe == vertical


def _plan_dict():
    words = _words_said()
    return plan_for(
        script_of((Role.HOOK, HOOK), (Role.ARGUMENT, ARGUMENT)), transcript_of(words, 12.0)
    ).model_dump(mode="json")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda p: p["voice"].update(duration_s=-1), "voice.duration_s"),
        (lambda p: p["voice"].update(duration_s=5.0), "past the voice"),
        (lambda p: p["formats"][0].update(width=1081), "must be even"),
        (lambda p: p["formats"][0]["safe"].update(top=0.45, bottom=0.45), "no room"),
        (lambda p: p["background"].update(colours=["red", "blue"]), "background.colours"),
        (lambda p: p["background"].update(kind="image"), "image"),
        (lambda p: p["encoder"].update(crf=99), "encoder.crf"),
        (lambda p: p["encoder"].update(pixel_format="yuv444p"), "encoder.pixel_format"),
        (lambda p: p.update(version=2), "version"),
        (lambda p: p["beats"][0]["chunks"][0].update(end=0.0), "ends before it starts"),
        (lambda p: p["beats"][1].update(start=0.5), "starts before"),
        (lambda p: p["beats"][0]["chunks"][0]["words"].extend([{"text": "x", "start": 9,
                                                                 "end": 9}] * 4), "words"),
        (lambda p: p.update(formats=[p["formats"][0], p["formats"][0]]), "listed twice"),
    ],
)  # fmt: skip
def test_bad_plan_values_are_refused_with_one_sentence(change, named):
    plan = _plan_dict()
    change(plan)

    with pytest.raises(InvalidRenderPlan) as refused:
        load_render_plan(plan)
    message = str(refused.value)
    assert message.startswith("The render plan cannot be used: ") and "\n" not in message
    assert named in message


def test_a_plan_survives_its_json_unchanged():
    plan = load_render_plan(_plan_dict())

    assert load_render_plan(plan.model_dump_json()) == plan
    assert plan.version == 1


def test_asking_a_plan_for_a_format_it_lacks_names_the_ones_it_has():
    plan = load_render_plan(_plan_dict())
    plan = plan.model_copy(update={"formats": plan.formats[:2]})

    with pytest.raises(InvalidRenderPlan, match="no 1x1 format; it has 9x16, 16x9"):
        plan.format("1x1")
