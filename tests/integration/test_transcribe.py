"""The default engine on the Spanish the product is for; both engines: tests/integration/speech."""

import json

import pytest

from bench.wer import word_error_rate
from editorbot.audio import clean_audio
from editorbot.settings import Settings
from editorbot.whisper import get_engine
from tests.conftest import DATA

pytestmark = pytest.mark.slow
REFS = json.loads((DATA / "refs.json").read_text())


def test_spanish_note_is_transcribed_as_spanish(tmp_path):
    clean = clean_audio((DATA / "es_rioplatense_synth.ogg").read_bytes(), 600, -50)
    wav = tmp_path / "note.wav"
    wav.write_bytes(clean.wav)
    transcript = get_engine(Settings()).transcribe(wav, "es", beam_size=1)
    assert transcript.language == "es" and transcript.engine == "faster-whisper"
    words = set(transcript.text.lower().replace(",", " ").replace(".", " ").split())
    assert {"contar", "colectivo", "inflación"} <= words
    assert word_error_rate(REFS["es_rioplatense_synth.ogg"], transcript.text) < 0.35
