"""The video formats we make, their safe areas, and where each one's files are stored."""

from editorbot.errors import EditorBotError
from editorbot.storage import video_key as storage_video_key
from editorbot.video.plan import SafeArea, VideoFormat


class UnknownFormat(EditorBotError):
    """No video format has that name."""


# Shorts, Reels and TikTok draw their buttons over the top ~15 % and bottom ~25 % of 9:16.
_VERTICAL_SAFE = SafeArea(top=0.15, bottom=0.25, left=0.07, right=0.07)

FORMATS: dict[str, VideoFormat] = {
    fmt.id: fmt
    for fmt in (
        VideoFormat(
            id="9x16", width=1080, height=1920, shelf="short", safe=_VERTICAL_SAFE,
            caption_px=84, title_px=52, fps=30,
        ),
        # Captions in the lower third, as on television; the title in the top band.
        VideoFormat(
            id="16x9", width=1920, height=1080, shelf="long",
            safe=SafeArea(top=0.07, bottom=0.08, left=0.12, right=0.12),
            caption_px=72, title_px=44, fps=30,
        ),
        VideoFormat(
            id="1x1", width=1080, height=1080, shelf="short",
            safe=SafeArea(top=0.08, bottom=0.1, left=0.07, right=0.07),
            caption_px=72, title_px=44, fps=30,
        ),
        VideoFormat(
            id="4x5", width=1080, height=1350, shelf="short",
            safe=SafeArea(top=0.08, bottom=0.12, left=0.07, right=0.07),
            caption_px=76, title_px=46, fps=30,
        ),
        # The reviewer's preview: 9:16 at half size, so it looks like what will be published,
        # at half the frame rate, so it follows the draft's text within seconds.
        VideoFormat(
            id="preview", width=540, height=960, shelf="draft", safe=_VERTICAL_SAFE,
            caption_px=42, title_px=26, fps=15,
        ),
    )
}  # fmt: skip

PUBLISHED_FORMATS = ("9x16", "16x9", "1x1", "4x5")
DEFAULT_FORMATS = ("9x16", "16x9")
"""What every approved note gets; 1:1 and 4:5 only when the creator asks."""

_ALIASES = {"9:16": "9x16", "16:9": "16x9", "1:1": "1x1", "4:5": "4x5"}


def format_named(name: str) -> VideoFormat:
    """The format called `name` ("9x16" or "9:16"); UnknownFormat with the choices."""
    key = _ALIASES.get(name.strip(), name.strip().lower())
    if key not in FORMATS:
        choices = ", ".join(f.replace("x", ":") for f in PUBLISHED_FORMATS)
        raise UnknownFormat(f"There is no video format called {name!r}; choose from {choices}.")
    return FORMATS[key]


def parse_formats(text: str) -> tuple[str, ...]:
    """Published format ids from "9:16,1:1 4:5"; always with the default two, in order."""
    asked = {format_named(part).id for part in text.replace(",", " ").split()}
    if "preview" in asked:
        raise UnknownFormat("The preview is made for every draft; it is not a format to ask for.")
    return tuple(f for f in PUBLISHED_FORMATS if f in asked or f in DEFAULT_FORMATS)


def video_key(run_key: str, fmt: VideoFormat, name: str) -> str:
    """Where a format's file lives: video/long/<run_key>/ for 16:9, video/short/… for the rest."""
    if fmt.shelf == "draft":
        raise ValueError("a draft's preview is stored with the draft, not under video/")
    return storage_video_key(run_key, fmt.shelf, name)
