"""How the openai-whisper engine is chosen, cached apart and installed, without loading a model."""

import re
import struct
import sys
import tomllib
from pathlib import Path

import pytest

from editorbot.errors import ModelUnavailable
from editorbot.settings import Settings
from editorbot.whisper import engine_identity, get_engine
from editorbot.whisper.convert import ct2_to_openai_checkpoint
from editorbot.whisper.openai import resolve_checkpoint

ROOT = Path(__file__).parents[2]


def test_the_engine_setting_accepts_both_engines_and_nothing_else(monkeypatch):
    monkeypatch.setenv("EDITORBOT_WHISPER_ENGINE", "openai-whisper")
    assert Settings().whisper_engine == "openai-whisper"

    monkeypatch.setenv("EDITORBOT_WHISPER_ENGINE", "whisper.cpp")
    with pytest.raises(ValueError, match="faster-whisper"):
        Settings()


def test_changing_engine_changes_the_transcription_cache_key():
    faster = engine_identity(Settings(whisper_engine="faster-whisper", whisper_model=None))
    openai = engine_identity(Settings(whisper_engine="openai-whisper", whisper_model=None))
    openai_int8 = Settings(whisper_engine="openai-whisper", whisper_compute_type="int8")
    openai_f32 = Settings(whisper_engine="openai-whisper", whisper_compute_type="float32")

    assert faster != openai
    # openai-whisper ignores compute_type, so it must not split the cache.
    assert engine_identity(openai_int8) == engine_identity(openai_f32)


def test_a_missing_extra_is_a_sentence_naming_the_install_command(monkeypatch, tmp_path):
    # None in sys.modules makes `import whisper` fail as it does where the extra is absent.
    monkeypatch.setitem(sys.modules, "whisper", None)
    settings = Settings(whisper_engine="openai-whisper", whisper_model=tmp_path / "absent.pt")

    with pytest.raises(ModelUnavailable) as error:
        get_engine(settings)

    assert "bash scripts/install-openai-whisper.sh" in str(error.value)
    assert "EDITORBOT_WHISPER_ENGINE=faster-whisper" in str(error.value)


def test_the_install_script_pins_what_the_extra_pins():
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    script = (ROOT / "scripts" / "install-openai-whisper.sh").read_text()
    script_pins = set(re.findall(r'"([\w.-]+==[\w.+-]+)"', script))

    assert set(extra["openai-whisper"]) <= script_pins
    assert "openai-whisper==20250625" in script_pins
    assert re.search(r"--no-deps \"openai-whisper==", script), "openai-whisper must skip triton"
    assert script.index('"torch==') < script.index('--no-deps "openai-whisper'), (
        "torch first, or pip takes CUDA"
    )


def test_a_ctranslate2_directory_given_to_openai_whisper_says_how_to_convert_it(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"\x06\x00\x00\x00")
    settings = Settings(whisper_engine="openai-whisper", whisper_model=tmp_path)

    with pytest.raises(ModelUnavailable) as error:
        resolve_checkpoint(settings)

    assert f"editorbot models convert --to openai-whisper --model {tmp_path}" in str(error.value)


def test_a_configured_checkpoint_that_is_not_there_is_named(tmp_path):
    settings = Settings(whisper_engine="openai-whisper", whisper_model=tmp_path / "gone.pt")

    with pytest.raises(ModelUnavailable, match=r"No openai-whisper model at .*gone\.pt"):
        resolve_checkpoint(settings)


def test_a_model_file_of_another_ctranslate2_format_is_refused_with_a_reason(tmp_path):
    (tmp_path / "model.bin").write_bytes(struct.pack("<I", 5))

    with pytest.raises(ModelUnavailable, match="binary version 5; only version 6"):
        ct2_to_openai_checkpoint(tmp_path)
