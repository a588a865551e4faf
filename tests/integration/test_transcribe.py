"""The real Whisper base model on real speech."""

import json

import pytest

from editorbot.audio import clean_audio
from editorbot.settings import Settings
from editorbot.whisper import get_engine
from tests.conftest import DATA
from tests.wer import word_error_rate

pytestmark = pytest.mark.slow
REFS = json.loads((DATA / "refs.json").read_text())


@pytest.fixture(scope="session")
def engine():
    return get_engine(Settings())


def _transcribe(engine, name, language, tmp_path):
    clean = clean_audio((DATA / name).read_bytes(), 600, -50)
    wav = tmp_path / "note.wav"
    wav.write_bytes(clean.wav)
    return engine.transcribe(wav, language, beam_size=1)


def test_english_reading_is_transcribed_within_five_percent_wer(engine, tmp_path):
    transcript = _transcribe(engine, "librivox_26s.ogg", "en", tmp_path)
    assert transcript.language == "en" and transcript.engine == "faster-whisper"
    assert word_error_rate(REFS["librivox_26s.ogg"], transcript.text) <= 0.05
    ends = [s.end for s in transcript.segments]
    assert ends == sorted(ends) and ends[-1] == pytest.approx(26.2, abs=1.5)


def test_spanish_note_is_transcribed(engine, tmp_path):
    transcript = _transcribe(engine, "es_rioplatense_synth.ogg", "es", tmp_path)
    words = set(transcript.text.lower().replace(",", " ").replace(".", " ").split())
    assert {"contar", "colectivo", "inflación"} <= words
    assert word_error_rate(REFS["es_rioplatense_synth.ogg"], transcript.text) < 0.35


def test_auto_detects_spanish_with_a_probability(engine, tmp_path):
    transcript = _transcribe(engine, "es_rioplatense_synth.ogg", "auto", tmp_path)
    assert transcript.language == "es"
    assert 0.5 < transcript.language_probability <= 1.0


def test_the_model_is_loaded_once_per_process(engine):
    assert get_engine(Settings()) is engine
