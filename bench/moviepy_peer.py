"""The benchmark's peer: a render plan drawn by a MoviePy 2 composite (never in the product).

The same background still, the same font, the same events as the ASS file: per caption event
the chunk in white with the spoken word drawn again in the highlight colour over it, and the
beat titles; the voice as the audio; H.264 ultrafast + AAC like ours.
"""

from pathlib import Path

from editorbot.video.captions import OUTLINE_EM, fitted_lines
from editorbot.video.fonts import FONT_FILE, caption_font, fonts_dir
from editorbot.video.plan import RenderPlan
from editorbot.video.sidecars import TITLE_GAP


def render_with_moviepy(plan: RenderPlan, format_id: str, background: Path, voice: Path, out: Path):
    """Render `plan`'s `format_id` with MoviePy into `out` (background: a PNG at the size)."""
    from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, TextClip

    fmt = plan.format(format_id)
    font = str(fonts_dir() / FONT_FILE)
    metrics = caption_font()
    duration = plan.duration_s
    layers = [ImageClip(str(background)).with_duration(duration)]
    stroke = max(1, round(OUTLINE_EM * fmt.caption_px))
    bottom = fmt.height * (1 - fmt.safe.bottom - TITLE_GAP)
    for beat in plan.beats:
        title = TextClip(
            font=font, text=beat.title, font_size=fmt.title_px, color=plan.style.title,
            stroke_color=plan.style.outline, stroke_width=stroke,
        )  # fmt: skip
        top = fmt.height * (fmt.safe.top + TITLE_GAP)
        layers.append(
            title.with_start(beat.start).with_duration(beat.end - beat.start)
            .with_position(("center", top))
        )  # fmt: skip
        for chunk in beat.chunks:
            lines, size = fitted_lines([w.text for w in chunk.words], fmt.caption_px,
                                       fmt.text_width_px)  # fmt: skip
            block = TextClip(
                font=font, text="\n".join(" ".join(line) for line in lines), font_size=round(size),
                color=plan.style.text, stroke_color=plan.style.outline, stroke_width=stroke,
                text_align="center", method="label",
            )  # fmt: skip
            block_y = bottom - block.h
            block_x = (fmt.width - block.w) / 2
            layers.append(
                block.with_start(chunk.start).with_duration(chunk.end - chunk.start)
                .with_position((block_x, block_y))
            )  # fmt: skip
            # The lit word, drawn over its place on its line.
            at = 0
            for row, line in enumerate(lines):
                line_w = metrics.width_px(" ".join(line), size)
                x = (fmt.width - line_w) / 2
                for word in line:
                    timed = chunk.words[at]
                    end = chunk.words[at + 1].start if at + 1 < len(chunk.words) else chunk.end
                    if end > timed.start:
                        lit = TextClip(
                            font=font, text=word, font_size=round(size),
                            color=plan.style.highlight, stroke_color=plan.style.outline,
                            stroke_width=stroke,
                        )  # fmt: skip
                        y = block_y + row * block.h / len(lines)
                        layers.append(
                            lit.with_start(max(timed.start, chunk.start))
                            .with_duration(end - max(timed.start, chunk.start))
                            .with_position((x, y))
                        )  # fmt: skip
                    x += metrics.width_px(word + " ", size)
                    at += 1
    video = CompositeVideoClip(layers, size=(fmt.width, fmt.height)).with_duration(duration)
    video = video.with_audio(AudioFileClip(str(voice)))
    video.write_videofile(
        str(out), fps=fmt.fps, codec="libx264", preset="ultrafast", audio_codec="aac",
        threads=2, logger=None, ffmpeg_params=["-pix_fmt", "yuv420p", "-movflags", "+faststart"],
    )  # fmt: skip
