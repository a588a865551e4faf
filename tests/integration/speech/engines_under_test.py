"""What the speech tests share: the engines, the clips' folder, settings for one engine."""

import importlib.util
from pathlib import Path

from editorbot.settings import Settings

DATA = Path(__file__).parents[2] / "data"
ENGINES = ["faster-whisper", "openai-whisper"]


def openai_whisper_missing() -> str | None:
    """Why the openai-whisper extra cannot be used here, or None when it can."""
    missing = [name for name in ("torch", "whisper") if importlib.util.find_spec(name) is None]
    if not missing:
        return None
    return (
        f"the openai-whisper extra is not installed ({', '.join(missing)} missing); "
        "install it with `bash scripts/install-openai-whisper.sh`"
    )


def engine_settings(engine: str, model_cache: Path, **overrides) -> Settings:
    """Settings for one engine on the bundled base model, whatever the environment says."""
    values = {"whisper_engine": engine, "whisper_model": None, "model_cache": model_cache}
    values |= {"whisper_compute_type": "int8", "whisper_threads": 0} | overrides
    return Settings(**values)
