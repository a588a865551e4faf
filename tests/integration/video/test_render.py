"""Rendered videos probed and read back: streams, sizes, the voice's length, the burned text."""

import pytest

from editorbot.video.alignment import comparable
from tests.integration.video.media import (
    comparable_words,
    gray_frame,
    probe,
    read_text,
    text_columns,
    text_rows,
    top_level_boxes,
)

pytestmark = pytest.mark.slow

FORMAT_IDS = ("9x16", "16x9", "1x1", "4x5", "preview")


@pytest.mark.parametrize("format_id", FORMAT_IDS)
def test_each_video_is_h264_aac_at_its_size_and_lasts_as_long_as_the_voice(
    rendered, spanish_plan, spanish_note, format_id
):
    fmt = spanish_plan.format(format_id)
    found = probe(rendered[format_id])
    video = next(s for s in found["streams"] if s["codec_type"] == "video")
    audio = next(s for s in found["streams"] if s["codec_type"] == "audio")
    voice = probe(spanish_note[0])

    assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
    assert (video["width"], video["height"]) == (fmt.width, fmt.height)
    assert (audio["codec_name"], audio["sample_rate"]) == ("aac", "48000")
    assert abs(float(found["format"]["duration"]) - float(voice["format"]["duration"])) <= 0.1
    boxes = top_level_boxes(rendered[format_id])
    assert boxes.index("moov") < boxes.index("mdat")  # +faststart: playable while downloading


def _on_screen(plan, at_s: float) -> tuple[str, str]:
    """The beat title and the caption the plan shows at `at_s`."""
    beat = next(b for b in plan.beats if b.start <= at_s < b.end)
    chunk = next((c for c in beat.chunks if c.start <= at_s < c.end), None)
    return beat.title, chunk.text if chunk else ""


@pytest.mark.parametrize("format_id", FORMAT_IDS)
def test_the_text_burned_at_each_beats_middle_is_the_plans(
    rendered, spanish_plan, format_id, tmp_path
):
    for beat in spanish_plan.beats:
        middle = (beat.start + beat.end) / 2
        title, caption = _on_screen(spanish_plan, middle)
        scale = 2 if format_id == "preview" else 1
        read = comparable_words(read_text(rendered[format_id], middle, tmp_path, scale))
        expected_title = comparable_words(title.split())
        expected_caption = comparable_words(caption.split())

        assert expected_title <= read, (format_id, middle, title, read)
        found = expected_caption & read
        assert len(found) >= 0.75 * len(expected_caption), (format_id, middle, caption, read)


def test_spanish_letters_are_drawn_and_emoji_are_not(rendered, spanish_plan, tmp_path):
    chunk = next(c for b in spanish_plan.beats for c in b.chunks if "niño" in c.text)
    middle = (chunk.start + chunk.end) / 2
    read = read_text(rendered["9x16"], middle, tmp_path)

    assert "niño" in [w.strip(".,") for w in read], read
    burned = " ".join(c.text for b in spanish_plan.beats for c in b.chunks)
    assert "🚌" not in burned and "📈" not in burned
    assert "interminablemente" in burned


def test_the_long_word_is_shrunk_to_fit_not_cut(rendered, spanish_plan, tmp_path):
    chunk = next(c for b in spanish_plan.beats for c in b.chunks if "interminablemente" in c.text)
    middle = (chunk.start + chunk.end) / 2
    read = comparable_words(read_text(rendered["9x16"], middle, tmp_path))

    assert comparable("interminablemente") in read, read


def _middles(plan):
    return [(b.start + b.end) / 2 for b in plan.beats]


def test_vertical_text_stays_clear_of_the_platforms_buttons(rendered, spanish_plan):
    fmt = spanish_plan.format("9x16")
    for at_s in _middles(spanish_plan):
        frame = gray_frame(rendered["9x16"], at_s, fmt.width, fmt.height)
        rows, columns = text_rows(frame), text_columns(frame)

        assert rows.size, "no text found on the frame"
        assert rows.min() >= fmt.height * 0.15 and rows.max() <= fmt.height * 0.75
        assert columns.min() >= fmt.width * 0.05 and columns.max() <= fmt.width * 0.95


def test_wide_captions_sit_in_the_lower_third(rendered, spanish_plan):
    fmt = spanish_plan.format("16x9")
    for at_s in _middles(spanish_plan):
        frame = gray_frame(rendered["16x9"], at_s, fmt.width, fmt.height)
        rows = text_rows(frame)
        caption_rows = rows[rows > fmt.height / 2]

        assert caption_rows.size, "no caption on the frame"
        assert caption_rows.min() >= fmt.height * 2 / 3
        assert rows.max() <= fmt.height * (1 - fmt.safe.bottom)
