"""The data contracts every layer shares (pydantic v2)."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

WORDS_PER_SECOND = 2.5
"""Spoken Spanish runs at roughly this rate; beat durations follow the text."""


class Role(StrEnum):
    """The beat library: what a beat does in the story."""

    HOOK = "hook"
    PROVOCATION = "provocation"
    OPENING_STATEMENT = "opening_statement"
    CONTEXT = "context"
    SETUP = "setup"
    PREMISE = "premise"
    ARGUMENT = "argument"
    SUPPORT = "support"
    EXAMPLE = "example"
    COUNTERPOINT = "counterpoint"
    CLARIFICATION = "clarification"
    EXPLANATION = "explanation"
    SUMMARY = "summary"
    EVENT = "event"
    TURNING_POINT = "turning_point"
    RESOLUTION = "resolution"
    REFLECTION = "reflection"
    ASSOCIATION = "association"
    INSIGHT = "insight"
    CONCLUSION = "conclusion"
    IMPLICATION = "implication"
    CALL_TO_ACTION = "call_to_action"


class Word(BaseModel):
    """One spoken word and when it was said, as Whisper timed it."""

    start: float = Field(ge=0)
    end: float = Field(ge=0)
    text: str
    probability: float | None = None


class Segment(BaseModel):
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    text: str
    # Empty in transcripts persisted before word timings existed; they still load.
    words: list[Word] = Field(default_factory=list)


class Transcript(BaseModel):
    language: str
    language_probability: float | None = None
    duration_s: float = Field(ge=0)
    segments: list[Segment]
    engine: str
    model: str

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    @property
    def words(self) -> list[Word]:
        """Every timed word in order; empty when the engine gave none."""
        return [word for segment in self.segments for word in segment.words]


class MediatedText(BaseModel):
    text: str
    source_text: str
    dialect: str
    changes: list[str] = Field(default_factory=list)
    model: str


class Beat(BaseModel):
    beat_id: str
    role: Role
    text: str = Field(min_length=1)
    estimated_duration_seconds: int = Field(gt=0)
    pace: Literal["slow", "medium", "fast"]
    intensity: Literal["low", "medium", "high"] | None = None
    visual_affinity: Literal["static", "motion", "text_overlay", "none"] | None = None


class ScriptMetadata(BaseModel):
    """How the script was made; for reviewers and logs, never shown to the creator."""

    model: str
    revision: int = Field(default=0, ge=0)
    retries: int = Field(default=0, ge=0)
    reviewer_notes: list[str] = Field(default_factory=list)
    validation_warnings: list[str] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class Script(BaseModel):
    script_id: str
    language: str
    dialect: str
    template_id: str
    structure_type: str
    total_duration_seconds: int = Field(gt=0)
    beats: list[Beat] = Field(min_length=1)
    metadata: ScriptMetadata

    @model_validator(mode="after")
    def _total_is_sum_of_beats(self) -> "Script":
        beat_sum = sum(b.estimated_duration_seconds for b in self.beats)
        if self.total_duration_seconds != beat_sum:
            raise ValueError(
                f"total_duration_seconds is {self.total_duration_seconds} "
                f"but the beats add up to {beat_sum}"
            )
        return self


class DurationBounds(BaseModel):
    min: int = Field(gt=0)
    target: int = Field(gt=0)
    max: int = Field(gt=0)


class Template(BaseModel):
    id: str
    family: str
    name: str
    description: str
    duration: DurationBounds
    min_beats: int = Field(ge=1)
    max_beats: int = Field(ge=1)
    required_roles: list[Role]
    allowed_roles: list[Role]
    forbidden_roles: list[Role]
    typical_order: list[Role]
    repeatable_role: Role = Field(description="The role that absorbs extra material.")
    strict: bool = Field(default=False, description="Out-of-bounds duration is an error.")

    @property
    def permitted_roles(self) -> set[Role]:
        return set(self.required_roles) | set(self.allowed_roles)


class ValidationReport(BaseModel):
    errors: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class RunOptions(BaseModel):
    """What the creator asked for; travels with the flow run as a parameter."""

    language: str = "es"
    dialect: str = "neutral"
    template: str = "opinion"
    formats: list[str] = Field(
        default_factory=lambda: ["9x16", "16x9"],
        description="Video formats after approval: 9:16 and 16:9 always, 1:1 and 4:5 if asked.",
    )

    @field_validator("formats", mode="before")
    @classmethod
    def _known_formats(cls, value: object) -> object:
        from editorbot.video.formats import parse_formats  # the video kernel imports this module

        if isinstance(value, str):
            return list(parse_formats(value))
        if isinstance(value, list | tuple):
            return list(parse_formats(" ".join(map(str, value))))
        return value


def estimate_seconds(text: str) -> int:
    """Spoken length of `text` in whole seconds, at least one."""
    return max(1, round(len(text.split()) / WORDS_PER_SECOND))


class StoredAudio(BaseModel):
    """Audio written to storage, with the checksum that makes caching content-aware."""

    key: str
    sha256: str
    size_bytes: int = Field(ge=0)
    duration_s: float | None = None


class DraftKeys(BaseModel):
    json_key: str
    markdown_key: str
    markdown: str


class RunOutcome(BaseModel):
    """How a run ended, as the flow returns it."""

    run_key: str
    decision: Literal["approve", "reject"]
    revisions: int = Field(ge=0)
    published: list[str] = Field(default_factory=list)


class ChatTarget(BaseModel):
    """Where a run reports back: the creator's chat and the one status message it edits."""

    chat_id: int
    status_message_id: int | None = None
    user_id: int | None = None


TYPED_SOURCE = "text:"
"""A note source that is the creator's own words, typed: nothing to download or transcribe."""


def typed_text(source: str) -> str | None:
    """The words of a typed note source, or None when the source is audio."""
    return source.removeprefix(TYPED_SOURCE) if source.startswith(TYPED_SOURCE) else None
