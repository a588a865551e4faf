"""One settings class for the whole application, read from `EDITORBOT_*` variables."""

import functools
import os
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from editorbot.errors import InvalidSetting


def _default_model_cache() -> Path:
    return Path.home() / ".cache" / "editorbot" / "models"


class Settings(BaseSettings):
    """Runtime configuration; construct it where it is used, never at import time."""

    # Frozen: get_settings hands the same instance to every caller until the environment changes.
    model_config = SettingsConfigDict(env_prefix="EDITORBOT_", extra="ignore", frozen=True)

    storage: str = Field(
        default="file://./data",
        description="Where artifacts live: file://DIR or s3://bucket.",
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="Override the S3 endpoint (tests, MinIO)."
    )
    whisper_engine: Literal["faster-whisper", "openai-whisper"] = "faster-whisper"
    whisper_model: Path | None = Field(
        default=None,
        description=(
            "A CTranslate2 model directory (faster-whisper) or a .pt file (openai-whisper); "
            "unset means the bundled base model."
        ),
    )
    whisper_compute_type: str = Field(
        default="int8", description="faster-whisper only; openai-whisper always runs fp32."
    )
    whisper_beam_size: int = Field(default=1, ge=1, le=10)
    whisper_threads: int = Field(default=0, ge=0, description="0 uses every core.")
    model_cache: Path = Field(default_factory=_default_model_cache)
    transcription: Literal["in-process", "worker"] = Field(
        default="in-process",
        description=(
            "in-process: the process running the flow loads the model; worker: the flow hands "
            "each note to `editorbot transcriber`, which keeps it loaded (`editorbot serve`)."
        ),
    )
    max_audio_seconds: float = Field(default=600.0, gt=0)
    silence_dbfs: float = Field(
        default=-50.0, description="A note whose loudest moment is below this is silence."
    )
    approval_timeout_s: int = Field(default=86_400, gt=0)
    approval_poll_s: int = Field(default=2, gt=0)

    text_engine: Literal["auto", "offline", "gemini", "openai"] = Field(
        default="auto",
        description="auto: Gemini with a key, else an OpenAI-compatible URL, else offline rules.",
    )
    gemini_api_key: SecretStr | None = None
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str | None = Field(default=None, description="Override the Gemini endpoint.")
    llm_base_url: str | None = Field(
        default=None, description="An OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1."
    )
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_temperature: float = Field(default=0.4, ge=0, le=2)
    llm_max_attempts: int = Field(
        default=3, ge=1, description="Replies tried per step before the draft is refused."
    )
    llm_timeout_s: float = Field(default=120.0, gt=0)

    # Telegram: the bot's front door, and the tasks that download notes and report to the chat.
    telegram_token: SecretStr | None = Field(default=None, description="From BotFather.")
    telegram_api_url: str = Field(
        default="https://api.telegram.org/bot", description="Bot API base; the token follows."
    )
    telegram_file_url: str = Field(
        default="https://api.telegram.org/file/bot", description="File download base."
    )
    telegram_upload_limit_mb: float = Field(
        default=50,
        gt=0,
        description="The largest file the bot may send (Telegram: 50; a local Bot API: 2000).",
    )
    bot_runs: Literal["local", "deployment"] = Field(
        default="local",
        description="local: the bot runs flows itself; deployment: `editorbot serve` runs them.",
    )
    bot_persistence: Path = Field(
        default=Path("data/.bot/persistence.pickle"),
        description="Where the bot keeps conversations (a revision being typed) across restarts.",
    )
    allowed_users: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(),
        description="Telegram user ids allowed to submit, comma-separated; empty allows nobody.",
    )

    @field_validator("allowed_users", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part for part in value.replace(" ", "").split(",") if part]
            if not all(part.isdecimal() for part in parts):
                raise ValueError("it takes Telegram user ids (numbers), comma-separated")
            return frozenset(int(part) for part in parts)
        return value

    video_background_image: Path | None = Field(
        default=None,
        description="A brand image (PNG or JPEG) behind every video, instead of the "
        "template's colours.",
    )

    @field_validator("storage")
    @classmethod
    def _storage_url(cls, value: str) -> str:
        if value.startswith("s3:"):
            check_s3_storage_url(value)
        return value

    log_format: Literal["text", "json"] = Field(
        default="text", description="text for people at a terminal; json lines for services."
    )


def check_s3_storage_url(url: str) -> str:
    """The bucket an `s3://bucket` storage URL names; a folder inside the bucket is refused."""
    parsed = urlparse(url)
    if not parsed.netloc:
        raise ValueError(f"an S3 storage URL names a bucket, s3://BUCKET, not {url!r}")
    if parsed.path.strip("/"):
        raise ValueError(
            f"S3 storage is a whole bucket, s3://{parsed.netloc}, not a folder in it ({url!r}): "
            "the layout's prefixes sit at the bucket's root, where the containers' roles are "
            "granted them."
        )
    return parsed.netloc


def get_settings() -> Settings:
    """The settings of the environment as it is now, read again only when it has changed.

    A flow run asks for them a dozen times; reading them each time cost ~10 ms a call.
    """
    return _settings_of(
        tuple(
            sorted(
                (name, value)
                for name, value in os.environ.items()
                # Names are matched without case; HOME places the default model cache.
                if name.upper().startswith("EDITORBOT_") or name == "HOME"
            )
        )
    )


@functools.lru_cache(maxsize=16)
def _settings_of(environment: tuple[tuple[str, str], ...]) -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise InvalidSetting(_sentence(error)) from None


def _sentence(error: ValidationError) -> str:
    """One sentence naming each `EDITORBOT_*` variable pydantic refused, and why."""
    problems = []
    for problem in error.errors(include_url=False):
        field = str(problem["loc"][0]) if problem["loc"] else ""
        info = Settings.model_fields.get(field)
        if info is not None and "SecretStr" in str(info.annotation):
            # A secret's value, or a message quoting it, never reaches a terminal or a log.
            problems.append(f"EDITORBOT_{field.upper()} is not a usable value")
            continue
        why = problem["msg"].removeprefix("Value error, ").rstrip(".")
        if why[1:2].islower():  # "Input should…", not "S3 storage…"
            why = why[:1].lower() + why[1:]
        problems.append(
            f"EDITORBOT_{field.upper()}={problem['input']!r} is not a usable value: {why}"
        )
    return "; ".join(problems) + "."
