"""A plan as ffmpeg argument lists (no shell), the check that ffmpeg can burn captions, and
running it."""

import contextlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from editorbot.errors import EditorBotError
from editorbot.video.plan import RenderPlan, VideoFormat

NICENESS = 19
"""Renders yield the cores to transcription, the server and the bot whenever they want them:
the lowest priority, since a video can wait and a note waiting for its draft should not."""

_SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")


class VideoToolMissing(EditorBotError):
    """ffmpeg is absent, or cannot burn subtitles."""


class RenderFailed(Exception):
    """ffmpeg refused a plan we made: our bug, not the creator's, so it is no EditorBotError."""


@dataclass(frozen=True)
class RenderFiles:
    """The names, inside the directory ffmpeg runs in, of what one render reads and writes.

    Plain names keep the filter graph free of paths that would need escaping.
    """

    subtitles: str = "captions.ass"
    fonts: str = "fonts"
    background: str = "background.png"
    brand_image: str = "brand.png"
    voice: str = "voice.wav"
    output: str = "video.mp4"

    def __post_init__(self) -> None:
        names = (self.subtitles, self.fonts, self.background, self.brand_image, self.voice)
        for name in (*names, self.output):
            if not _SAFE_NAME.match(name):
                raise ValueError(f"not a plain file name: {name!r}")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _hex(colour: str) -> str:
    return "0x" + colour[1:]


def needs_background_frame(plan: RenderPlan) -> bool:
    """Whether the background is drawn once into a still (gradients, images) before the render."""
    return plan.background.kind != "colour"


def background_arguments(plan: RenderPlan, format_id: str, files: RenderFiles) -> list[str]:
    """ffmpeg arguments that draw the background once, at the format's size, into a PNG.

    Drawn once and looped, instead of being scaled or computed again for every frame.
    """
    fmt = plan.format(format_id)
    size = f"{fmt.width}x{fmt.height}"
    background = plan.background
    if background.kind == "gradient":
        # Top colour to bottom colour, computed for this one frame only.
        (r0, g0, b0), (r1, g1, b1) = (_rgb(c) for c in background.colours)
        source = ["-f", "lavfi", "-i", f"color=c=black:s={size}:r=1,format=rgb24"]
        scale = [
            "-vf",
            f"geq=r='{r0}+({r1 - r0})*Y/H':g='{g0}+({g1 - g0})*Y/H':b='{b0}+({b1 - b0})*Y/H'",
        ]
    elif background.kind == "image":
        source = ["-i", files.brand_image]
        # Cover the frame: scale up to fill, then crop the overflow evenly.
        scale = [
            "-vf",
            f"scale={fmt.width}:{fmt.height}:force_original_aspect_ratio=increase,"
            f"crop={fmt.width}:{fmt.height},setsar=1",
        ]
    else:
        source = ["-f", "lavfi", "-i", f"color=c={_hex(background.colours[0])}:s={size}:r=1"]
        scale = []
    return [
        "ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        *source, *scale, "-frames:v", "1", "-update", "1", files.background,
    ]  # fmt: skip


def render_arguments(plan: RenderPlan, format_id: str, files: RenderFiles) -> list[str]:
    """ffmpeg arguments that render `plan` in `format_id`: background, voice (or silence), the
    ASS burned by libass with the bundled fonts only, H.264 yuv420p + AAC, index first."""
    fmt: VideoFormat = plan.format(format_id)
    enc = plan.encoder
    duration = f"{plan.duration_s:.3f}"
    if needs_background_frame(plan):
        # The still is decoded and converted to the encoder's pixel format once; the loop
        # filter repeats that one frame from memory (converting every frame cost a third).
        video_in = ["-framerate", str(fmt.fps), "-i", files.background]
        graph = f"[0:v]format={enc.pixel_format},loop=loop=-1:size=1:start=0,"
    else:
        colour = _hex(plan.background.colours[0])
        video_in = ["-f", "lavfi", "-i", f"color=c={colour}:s={fmt.width}x{fmt.height}:r={fmt.fps}"]
        graph = f"[0:v]format={enc.pixel_format},"
    graph += f"ass=filename={files.subtitles}:fontsdir={files.fonts}:shaping=simple[video]"
    if plan.voice.key is None:
        audio_in = ["-f", "lavfi", "-i", f"anullsrc=r={enc.audio_rate}:cl=mono"]
    else:
        audio_in = ["-i", files.voice]
    tune = ["-tune", enc.tune] if enc.tune else []
    return [
        "ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        *video_in, *audio_in,
        "-filter_complex", graph,
        "-map", "[video]", "-map", "1:a:0",
        "-c:v", enc.video_codec, "-preset", enc.preset, *tune, "-crf", str(enc.crf),
        "-pix_fmt", enc.pixel_format, "-r", str(fmt.fps), "-threads", str(enc.threads),
        "-c:a", enc.audio_codec, "-b:a", f"{enc.audio_bitrate_k}k", "-ar", str(enc.audio_rate),
        "-t", duration, "-movflags", "+faststart",
        files.output,
    ]  # fmt: skip


def _ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise VideoToolMissing(
            "ffmpeg is not installed, so no video can be made; install it (apt install ffmpeg)."
        )
    return found


@cache
def _filters(ffmpeg: str) -> str:
    result = subprocess.run(
        [ffmpeg, "-hide_banner", "-filters"], capture_output=True, text=True, check=False
    )
    return result.stdout


def check_ffmpeg() -> None:
    """Raise VideoToolMissing unless the ffmpeg on PATH has the libass `ass` filter."""
    ffmpeg = _ffmpeg()
    if not re.search(r"^\s*\S+\s+ass\s+V->V", _filters(ffmpeg), re.MULTILINE):
        raise VideoToolMissing(
            f"The ffmpeg at {ffmpeg} was built without libass, so it cannot burn captions into "
            "videos; install a build with libass (Debian's and Ubuntu's ffmpeg package has it)."
        )


def render_file(plan: RenderPlan, format_id: str, voice: Path | None, workdir: Path) -> Path:
    """Render `plan`'s `format_id` video in `workdir` from the voice WAV; the MP4's path."""
    from editorbot.video.fonts import fonts_dir
    from editorbot.video.sidecars import ass_document

    check_ffmpeg()
    image = Path(plan.background.image) if plan.background.image else None
    files = RenderFiles(brand_image="brand" + (image.suffix.lower() if image else ".png"))
    (workdir / files.subtitles).write_text(ass_document(plan, format_id), "utf-8")
    (workdir / files.fonts).symlink_to(fonts_dir(), target_is_directory=True)
    if image is not None:
        shutil.copyfile(image, workdir / files.brand_image)
    if voice is not None:
        shutil.copyfile(voice, workdir / files.voice)
    if needs_background_frame(plan):
        run_ffmpeg(background_arguments(plan, format_id, files), workdir)
    run_ffmpeg(render_arguments(plan, format_id, files), workdir)
    return workdir / files.output


def run_ffmpeg(arguments: list[str], workdir: Path) -> None:
    """Run one ffmpeg argument list in `workdir`, at a lower priority; RenderFailed on error."""
    process = subprocess.Popen(
        arguments, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    # If it already ended, or we may not renice it, it runs at our priority: no harm.
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, process.pid, NICENESS)
    _, errors = process.communicate()
    if process.returncode != 0:
        raise RenderFailed(f"ffmpeg exited with {process.returncode}: {errors.strip()[-2000:]}")
