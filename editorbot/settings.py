"""One settings class for the whole application, read from `EDITORBOT_*` variables."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    log_format: Literal["text", "json"] = Field(
        default="text", description="text for people at a terminal; json lines for services."
    )


def get_settings() -> Settings:
    """Read the settings from the environment as it is now."""
    return Settings()
