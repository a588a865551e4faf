"""Real Whisper models on real speech, each loaded once per test session."""

import json
from pathlib import Path

import pytest
from engines_under_test import DATA, ENGINES, engine_settings, openai_whisper_missing

from editorbot.audio import clean_audio
from editorbot.whisper import WhisperEngine, get_engine


@pytest.fixture(scope="session", autouse=True)
def no_model_downloads():
    """Nothing may fetch a model at run time; the hub client must fail instead of trying."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    """A fresh model cache: the bundled model is assembled and converted as a user's would be."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="session")
def references() -> dict[str, str]:
    return json.loads((DATA / "refs.json").read_text())


@pytest.fixture(scope="session", params=ENGINES)
def engine(request, model_cache) -> WhisperEngine:
    if request.param == "openai-whisper" and (reason := openai_whisper_missing()):
        pytest.skip(reason)
    return get_engine(engine_settings(request.param, model_cache))


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory):
    """The WAV Whisper hears in production: a test clip through the pipeline's own cleaning."""
    made: dict[str, Path] = {}
    folder = tmp_path_factory.mktemp("cleaned")

    def make(name: str) -> Path:
        if name not in made:
            clean = clean_audio((DATA / name).read_bytes(), max_seconds=900, silence_dbfs=-50)
            made[name] = folder / f"{Path(name).stem}.wav"
            made[name].write_bytes(clean.wav)
        return made[name]

    return make


@pytest.fixture(scope="session")
def transcript_of(speech_wav):
    """Transcripts remembered per engine, clip, language and beam, so each runs once."""
    made = {}

    def transcribe(
        engine: WhisperEngine,
        name: str,
        language: str = "en",
        beam_size: int = 1,
        words: bool = True,
    ):
        key = (id(engine), name, language, beam_size, words)
        if key not in made:
            made[key] = engine.transcribe(speech_wav(name), language, beam_size, words=words)
        return made[key]

    return transcribe
