"""A plan as ASS and SRT: safe areas, the spoken word lit, the bundled font, long words."""

import pysubs2

from editorbot.schemas import Role
from editorbot.video.captions import line_width_px
from editorbot.video.fonts import FONT_FAMILY
from editorbot.video.sidecars import ass_document, srt_document
from tests.unit.video.conftest import plan_for, script_of, spoken, transcript_of

HOOK = "Nadie te cuenta lo que cuesta un café."
ARGUMENT = "El sueldo sigue igual."


def _plan():
    words = spoken(f"{HOOK} {ARGUMENT}")
    return plan_for(
        script_of((Role.HOOK, HOOK), (Role.ARGUMENT, ARGUMENT)), transcript_of(words, 7.0)
    )


def test_each_format_has_its_own_canvas_and_keeps_text_out_of_the_platform_buttons():
    plan = _plan()
    for fmt in plan.formats:
        subs = pysubs2.SSAFile.from_string(ass_document(plan, fmt.id))
        caption, title = subs.styles["Caption"], subs.styles["Title"]

        assert (subs.info["PlayResX"], subs.info["PlayResY"]) == (str(fmt.width), str(fmt.height))
        assert caption.fontname == title.fontname == FONT_FAMILY and caption.bold
        # Bottom-anchored captions sit above the bottom safe band; titles below the top one.
        assert caption.alignment == pysubs2.Alignment.BOTTOM_CENTER
        assert caption.marginv >= fmt.height * fmt.safe.bottom
        assert title.alignment == pysubs2.Alignment.TOP_CENTER
        assert title.marginv >= fmt.height * fmt.safe.top
        assert caption.marginl >= fmt.width * fmt.safe.left - 1
    vertical = plan.format("9x16")
    assert vertical.safe.bottom >= 0.25 and vertical.safe.top >= 0.15


def test_the_spoken_word_is_lit_while_it_is_said():
    plan = _plan()
    subs = pysubs2.SSAFile.from_string(ass_document(plan, "9x16"))
    captions = [e for e in subs.events if e.style == "Caption"]
    first_chunk = plan.beats[0].chunks[0]
    lit = "{\\c&H66D1FF&}"  # the highlight #FFD166 as ASS writes it: blue, green, red

    # One event per word of the chunk; in the n-th, the n-th word alone is lit.
    for index, word in enumerate(first_chunk.words):
        event = captions[index]
        assert event.text.count(lit) == 1
        assert event.text.split(lit)[1].startswith(word.text)
        assert event.plaintext.replace("\n", " ") == first_chunk.text
    assert captions[1].start == round(first_chunk.words[1].start * 1000)
    # Titles name each beat over its whole stretch.
    titles = [(e.start, e.end, e.text) for e in subs.events if e.style == "Title"]
    assert titles == [(round(b.start * 1000), round(b.end * 1000), b.title) for b in plan.beats]
    assert titles[0][2] == "El gancho"


def test_a_word_too_long_for_the_line_is_shrunk_never_cut():
    long_word = "Anticonstitucionalísimamente"
    plan = plan_for(
        script_of((Role.HOOK, f"{long_word} dicho."), (Role.ARGUMENT, "Y listo.")), None
    )
    fmt = plan.format("9x16")
    subs = pysubs2.SSAFile.from_string(ass_document(plan, "9x16"))
    event = next(e for e in subs.events if long_word in e.plaintext)
    size = float(event.text.split("\\fs", 1)[1].split("}", 1)[0])

    assert size < fmt.caption_px
    assert all(
        line_width_px(line, size) <= fmt.text_width_px for line in event.plaintext.split("\n")
    )
    assert len(event.plaintext.split("\n")) <= 2


def test_braces_and_backslashes_in_the_script_are_shown_not_obeyed():
    plan = plan_for(script_of((Role.HOOK, "Ojo {\\b1} con esto"), (Role.ARGUMENT, "Y ya.")), None)
    document = ass_document(plan, "9x16")

    assert "{\\b1}" not in document and "(/b1)" in document


def test_the_srt_holds_one_cue_per_chunk_with_the_approved_words():
    plan = _plan()
    cues = pysubs2.SSAFile.from_string(srt_document(plan), format_="srt").events
    chunks = [c for b in plan.beats for c in b.chunks]

    assert [c.plaintext for c in cues] == [c.text for c in chunks]
    assert [c.start for c in cues] == [round(c.start * 1000) for c in chunks]
