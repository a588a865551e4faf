"""The render plan: everything ffmpeg needs to make a note's videos, checked before it runs."""

import re
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from editorbot.errors import EditorBotError
from editorbot.schemas import Role

RENDER_PLAN_VERSION = 1
"""Bumped when a plan's meaning changes; a stored plan says which version made it."""

MAX_DURATION_S = 3600.0
"""Longer than any note we accept; a plan beyond it is a mistake, not a long video."""

HexColour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]


class InvalidRenderPlan(EditorBotError):
    """A render plan with values no video can be made from."""


class SafeArea(BaseModel):
    """Fractions of the frame kept clear of text, where the platforms draw their own UI."""

    top: float = Field(ge=0, lt=0.5)
    bottom: float = Field(ge=0, lt=0.5)
    left: float = Field(ge=0, lt=0.5)
    right: float = Field(ge=0, lt=0.5)


class VideoFormat(BaseModel):
    """One output shape: its size, where text may go, and how big the text is."""

    id: str = Field(pattern=r"^[a-z0-9]+$")
    width: int = Field(ge=64, le=4096)
    height: int = Field(ge=64, le=4096)
    shelf: Literal["short", "long", "draft"]
    safe: SafeArea
    caption_px: int = Field(ge=8, le=400)
    title_px: int = Field(ge=8, le=400)
    fps: int = Field(ge=1, le=60)

    @field_validator("width", "height")
    @classmethod
    def _even(cls, value: int) -> int:
        if value % 2:
            raise ValueError("must be even: H.264 in yuv420p halves the colour planes")
        return value

    @model_validator(mode="after")
    def _room_for_text(self) -> "VideoFormat":
        if self.safe.top + self.safe.bottom >= 0.8 or self.safe.left + self.safe.right >= 0.8:
            raise ValueError("its safe area leaves no room for captions")
        return self

    @property
    def text_width_px(self) -> float:
        """The width a caption line may take inside the safe area."""
        return self.width * (1 - self.safe.left - self.safe.right)


class TimedWord(BaseModel):
    """A word as it is burned in, and when the voice says it."""

    text: str = Field(min_length=1)
    start: float = Field(ge=0)
    end: float = Field(ge=0)

    @model_validator(mode="after")
    def _forwards(self) -> "TimedWord":
        if self.end < self.start:
            raise ValueError(f"the word {self.text!r} ends before it starts")
        return self


class CaptionChunk(BaseModel):
    """Words shown together (2–4, fewer only when a beat has fewer); each lights up as said."""

    start: float = Field(ge=0)
    end: float = Field(ge=0)
    words: list[TimedWord] = Field(min_length=1, max_length=4)

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @model_validator(mode="after")
    def _words_inside(self) -> "CaptionChunk":
        if self.end <= self.start:
            raise ValueError(f"the caption {self.text!r} ends before it starts")
        if self.words[0].start < self.start - 1e-6 or self.words[-1].start > self.end + 1e-6:
            raise ValueError(f"the caption {self.text!r} starts a word outside its own time")
        starts = [word.start for word in self.words]
        if starts != sorted(starts):
            raise ValueError(f"the caption {self.text!r} has its words out of order")
        return self


class PlanBeat(BaseModel):
    """A beat of the approved script, anchored to the stretch of the recording it came from."""

    beat_id: str
    role: Role
    title: str
    text: str
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    timing: Literal["aligned", "spread", "storyboard"] = Field(
        description=(
            "aligned: its words were found in the voice; spread: mediation changed them, so "
            "they share the stretch; storyboard: no recording, timed by the beat's duration."
        )
    )
    chunks: list[CaptionChunk]

    @model_validator(mode="after")
    def _chunks_inside(self) -> "PlanBeat":
        if self.end <= self.start:
            raise ValueError(f"beat {self.beat_id} ends before it starts")
        previous_end = self.start
        for chunk in self.chunks:
            if chunk.start < previous_end - 1e-6 or chunk.end > self.end + 1e-6:
                raise ValueError(
                    f"beat {self.beat_id}'s caption {chunk.text!r} overlaps another or its beat"
                )
            previous_end = chunk.end
        return self


class VoiceTrack(BaseModel):
    """The creator's voice; no key means a typed idea, rendered silent."""

    key: str | None = None
    sha256: str | None = None
    duration_s: float = Field(gt=0, le=MAX_DURATION_S)


class Background(BaseModel):
    """What is behind the text: a colour, a two-colour gradient, or an image."""

    kind: Literal["colour", "gradient", "image"]
    colours: list[HexColour] = Field(default_factory=list, max_length=2)
    image: str | None = Field(default=None, description="A file the runner can read.")

    @model_validator(mode="after")
    def _complete(self) -> "Background":
        wanted = {"colour": 1, "gradient": 2, "image": 0}[self.kind]
        if len(self.colours) != wanted:
            raise ValueError(f"a {self.kind} background takes {wanted} colour(s)")
        if (self.kind == "image") != bool(self.image):
            raise ValueError("an image background names its image, and only it does")
        return self


class CaptionStyle(BaseModel):
    """Colours of the burned text."""

    text: HexColour = "#FFFFFF"
    highlight: HexColour = "#FFD166"
    outline: HexColour = "#000000"
    title: HexColour = "#FFFFFF"


class Encoder(BaseModel):
    """H.264 yuv420p + AAC in MP4 with the index first: what every player and platform takes."""

    video_codec: Literal["libx264"] = "libx264"
    pixel_format: Literal["yuv420p"] = "yuv420p"
    preset: Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"] = "ultrafast"
    tune: Literal["stillimage"] | None = "stillimage"
    crf: int = Field(default=23, ge=0, le=51)
    threads: int = Field(default=0, ge=0, le=64, description="0 lets x264 pick.")
    audio_codec: Literal["aac"] = "aac"
    audio_bitrate_k: int = Field(default=128, ge=32, le=320)
    audio_rate: Literal[44100, 48000] = 48000
    faststart: Literal[True] = True


class RenderPlan(BaseModel):
    """One approved script as video: voice, timed beats and captions, formats, look, encoder."""

    version: Literal[1] = RENDER_PLAN_VERSION
    run_key: str
    script_id: str
    template_id: str
    family: str
    language: str
    voice: VoiceTrack
    beats: list[PlanBeat] = Field(min_length=1)
    formats: list[VideoFormat] = Field(min_length=1)
    background: Background
    style: CaptionStyle = Field(default_factory=CaptionStyle)
    encoder: Encoder = Field(default_factory=Encoder)

    @property
    def duration_s(self) -> float:
        return self.voice.duration_s

    def format(self, format_id: str) -> VideoFormat:
        """The plan's format called `format_id`; InvalidRenderPlan if it has none."""
        for fmt in self.formats:
            if fmt.id == format_id:
                return fmt
        known = ", ".join(f.id for f in self.formats)
        raise InvalidRenderPlan(f"This render plan has no {format_id} format; it has {known}.")

    @model_validator(mode="after")
    def _beats_tile_the_voice(self) -> "RenderPlan":
        ids = [fmt.id for fmt in self.formats]
        if len(set(ids)) != len(ids):
            raise ValueError("a format is listed twice")
        previous_end = 0.0
        for beat in self.beats:
            if beat.start < previous_end - 1e-6:
                raise ValueError(f"beat {beat.beat_id} starts before the beat ahead of it ends")
            previous_end = beat.end
        if previous_end > self.duration_s + 1e-6:
            raise ValueError(
                f"the beats run to {previous_end:.2f} s, past the voice's {self.duration_s:.2f} s"
            )
        return self


def _sentence(error: ValidationError) -> str:
    """The first problem pydantic found, as one sentence naming where it is."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "the plan"
    message = re.sub(r"^Value error, ", "", first["msg"])
    return f"The render plan cannot be used: {where}: {message}."


def load_render_plan(data: str | bytes | dict) -> RenderPlan:
    """A plan from JSON or a dict; InvalidRenderPlan with one sentence when a value is bad."""
    try:
        if isinstance(data, dict):
            return RenderPlan.model_validate(data)
        return RenderPlan.model_validate_json(data)
    except ValidationError as error:
        raise InvalidRenderPlan(_sentence(error)) from None
