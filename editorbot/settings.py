"""One settings class for the whole application, read from `EDITORBOT_*` variables."""

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _default_model_cache() -> Path:
    return Path.home() / ".cache" / "editorbot" / "models"


class Settings(BaseSettings):
    """Runtime configuration; construct it where it is used, never at import time."""

    model_config = SettingsConfigDict(env_prefix="EDITORBOT_", extra="ignore")

    storage: str = Field(
        default="file://./data",
        description="Where artifacts live: file://DIR or s3://bucket/prefix.",
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="Override the S3 endpoint (tests, MinIO)."
    )
    whisper_engine: Literal["faster-whisper"] = "faster-whisper"
    whisper_model: Path | None = Field(
        default=None,
        description="A CTranslate2 Whisper model directory; unset means the bundled base model.",
    )
    whisper_compute_type: str = "int8"
    whisper_beam_size: int = Field(default=1, ge=1, le=10)
    whisper_threads: int = Field(default=0, ge=0, description="0 uses every core.")
    model_cache: Path = Field(default_factory=_default_model_cache)
    max_audio_seconds: float = Field(default=600.0, gt=0)
    silence_dbfs: float = Field(
        default=-50.0, description="A note whose loudest moment is below this is silence."
    )
    approval_timeout_s: int = Field(default=86_400, gt=0)
    approval_poll_s: int = Field(default=2, gt=0)

    # Telegram: the bot's front door, and the tasks that download notes and report to the chat.
    telegram_token: SecretStr | None = Field(default=None, description="From BotFather.")
    telegram_api_url: str = Field(
        default="https://api.telegram.org/bot", description="Bot API base; the token follows."
    )
    telegram_file_url: str = Field(
        default="https://api.telegram.org/file/bot", description="File download base."
    )
    allowed_users: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(),
        description="Telegram user ids allowed to submit, comma-separated; empty allows nobody.",
    )

    @field_validator("allowed_users", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value


def get_settings() -> Settings:
    """Read the settings from the environment as it is now."""
    return Settings()
