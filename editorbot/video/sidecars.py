"""A plan as subtitle files: one ASS per format (captions and beat titles, burned by libass),
and an SRT of the captions for players and editors."""

import pysubs2

from editorbot.video.captions import OUTLINE_EM, fitted_lines
from editorbot.video.fonts import FONT_FAMILY
from editorbot.video.plan import CaptionChunk, RenderPlan, VideoFormat

TITLE_GAP = 0.02
"""Space between a safe-area edge and the text, as a fraction of the frame's height."""


def _colour(hex_colour: str) -> pysubs2.Color:
    return pysubs2.Color(
        int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)
    )


def _override(hex_colour: str) -> str:
    """An ASS inline colour: &HBBGGRR&."""
    return f"&H{hex_colour[5:7]}{hex_colour[3:5]}{hex_colour[1:3]}&".upper()


def _plain(text: str) -> str:
    """Text as ASS shows it literally: braces open override blocks, backslashes escape."""
    return text.replace("\\", "/").replace("{", "(").replace("}", ")")


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _styles(plan: RenderPlan, fmt: VideoFormat) -> dict[str, pysubs2.SSAStyle]:
    common = {
        "fontname": FONT_FAMILY,
        "bold": True,
        "outlinecolor": _colour(plan.style.outline),
        "backcolor": pysubs2.Color(0, 0, 0, 128),
        "borderstyle": 1,
        "shadow": 0,
        "marginl": round(fmt.width * fmt.safe.left),
        "marginr": round(fmt.width * fmt.safe.right),
    }
    return {
        "Caption": pysubs2.SSAStyle(
            **common,
            fontsize=fmt.caption_px,
            primarycolor=_colour(plan.style.text),
            outline=round(OUTLINE_EM * fmt.caption_px, 1),
            alignment=pysubs2.Alignment.BOTTOM_CENTER,
            marginv=round(fmt.height * (fmt.safe.bottom + TITLE_GAP)),
        ),
        "Title": pysubs2.SSAStyle(
            **common,
            fontsize=fmt.title_px,
            primarycolor=_colour(plan.style.title),
            outline=round(OUTLINE_EM * fmt.title_px, 1),
            alignment=pysubs2.Alignment.TOP_CENTER,
            marginv=round(fmt.height * (fmt.safe.top + TITLE_GAP)),
        ),
    }


def _caption_events(
    plan: RenderPlan, fmt: VideoFormat, chunk: CaptionChunk
) -> list[pysubs2.SSAEvent]:
    """One event per word of the chunk, the chunk on screen each time with that word lit."""
    texts = [_plain(word.text) for word in chunk.words]
    lines, size = fitted_lines(texts, fmt.caption_px, fmt.text_width_px)
    prefix = f"{{\\fs{size:.0f}}}" if size < fmt.caption_px else ""
    lit, plain = _override(plan.style.highlight), _override(plan.style.text)
    events = []
    for index, word in enumerate(chunk.words):
        start = chunk.start if index == 0 else word.start
        end = chunk.words[index + 1].start if index + 1 < len(chunk.words) else chunk.end
        if _ms(end) - _ms(start) < 10:  # shorter than ASS's centisecond: never seen
            continue
        shown, at = [], 0
        for line in lines:
            parts = []
            for text in line:
                parts.append(f"{{\\c{lit}}}{text}{{\\c{plain}}}" if at == index else text)
                at += 1
            shown.append(" ".join(parts))
        events.append(
            pysubs2.SSAEvent(
                start=_ms(start), end=_ms(end), style="Caption", text=prefix + "\\N".join(shown)
            )
        )
    return events


def ass_document(plan: RenderPlan, format_id: str) -> str:
    """The ASS file that burns `plan`'s beat titles and captions into its `format_id` video."""
    fmt = plan.format(format_id)
    subs = pysubs2.SSAFile()
    subs.info.update(
        {
            "Title": f"EditorBot {plan.run_key} {fmt.id}",
            "PlayResX": str(fmt.width),
            "PlayResY": str(fmt.height),
            "WrapStyle": "2",  # lines are broken here, by the font's own metrics
            "ScaledBorderAndShadow": "yes",
            "YCbCr Matrix": "None",
        }
    )
    subs.styles = _styles(plan, fmt)
    for beat in plan.beats:
        if beat.title:
            subs.events.append(
                pysubs2.SSAEvent(
                    start=_ms(beat.start), end=_ms(beat.end), style="Title", text=_plain(beat.title)
                )
            )
        for chunk in beat.chunks:
            subs.events.extend(_caption_events(plan, fmt, chunk))
    return subs.to_string("ass")


def srt_document(plan: RenderPlan) -> str:
    """The captions as SRT: one cue per chunk, the words as the reviewer approved them."""
    subs = pysubs2.SSAFile()
    for beat in plan.beats:
        for chunk in beat.chunks:
            subs.events.append(
                pysubs2.SSAEvent(
                    start=_ms(chunk.start), end=_ms(chunk.end), text=_plain(chunk.text)
                )
            )
    return subs.to_string("srt")
