"""The bundled CTranslate2 model converted into openai-whisper's .pt, checked weight by weight."""

import stat

import numpy as np
import pytest
from engines_under_test import openai_whisper_missing

from editorbot.whisper.convert import (
    checksum_path,
    converted_base_model,
    read_ct2_variables,
    recorded_sha256,
)
from editorbot.whisper.model_store import bundled_model_dir, sha256_of


@pytest.fixture(scope="module")
def checkpoint(model_cache):
    if reason := openai_whisper_missing():
        pytest.skip(reason)
    import torch

    path = converted_base_model(model_cache)
    return path, torch.load(path, weights_only=True)


@pytest.fixture(scope="module")
def ct2_variables(model_cache):
    return read_ct2_variables(bundled_model_dir(model_cache) / "model.bin")[1]


def _array(checkpoint, name):
    return checkpoint[1]["model_state_dict"][name].numpy()


def test_the_checkpoint_loads_strictly_into_openai_whisper(checkpoint):
    from whisper.model import ModelDimensions, Whisper

    dims = checkpoint[1]["dims"]
    model = Whisper(ModelDimensions(**dims))

    model.load_state_dict(checkpoint[1]["model_state_dict"], strict=True)  # no key left out
    assert dims == {
        "n_mels": 80,
        "n_audio_ctx": 1500,
        "n_audio_state": 512,
        "n_audio_head": 8,
        "n_audio_layer": 6,
        "n_vocab": 51865,
        "n_text_ctx": 448,
        "n_text_state": 512,
        "n_text_head": 8,
        "n_text_layer": 6,
    }
    assert model.is_multilingual


def test_split_projections_fuse_back_into_the_ctranslate2_matrices(checkpoint, ct2_variables):
    for stack, layers in (("encoder", 6), ("decoder", 6)):
        for i in range(layers):
            block, scope = f"{stack}.blocks.{i}", f"{stack}/layer_{i}"
            q, k, v = (
                _array(checkpoint, f"{block}.attn.{p}.weight") for p in ("query", "key", "value")
            )
            fused = ct2_variables[f"{scope}/self_attention/linear_0/weight"]
            assert np.array_equal(np.concatenate([q, k, v]), fused)

            fused_bias = ct2_variables[f"{scope}/self_attention/linear_0/bias"]
            q_bias, key_bias, v_bias = np.split(fused_bias, 3)
            assert not key_bias.any()  # what openai-whisper's bias-free key implies
            assert np.array_equal(_array(checkpoint, f"{block}.attn.query.bias"), q_bias)
            assert np.array_equal(_array(checkpoint, f"{block}.attn.value.bias"), v_bias)
            assert f"{block}.attn.key.bias" not in checkpoint[1]["model_state_dict"]

            if stack == "decoder":
                k, v = (
                    _array(checkpoint, f"{block}.cross_attn.{p}.weight") for p in ("key", "value")
                )
                fused = ct2_variables[f"{scope}/attention/linear_1/weight"]
                assert np.array_equal(np.concatenate([k, v]), fused)


def test_every_ctranslate2_weight_is_carried_over(checkpoint, ct2_variables):
    weights = {
        name: array
        for name, array in ct2_variables.items()
        if array.dtype == np.float16 and name != "decoder/projection/weight"  # tied to embeddings
    }
    dropped_key_biases = 6 * 512 + 6 * 512 * 2  # encoder self, decoder self and cross attention

    carried = sum(t.numel() for t in checkpoint[1]["model_state_dict"].values())

    assert carried == sum(a.size for a in weights.values()) - dropped_key_biases
    assert np.array_equal(
        _array(checkpoint, "decoder.token_embedding.weight"),
        ct2_variables["decoder/embeddings/weight"],
    )


def test_the_file_is_complete_readable_and_its_checksum_recorded(checkpoint):
    path = checkpoint[0]

    assert recorded_sha256(path) == sha256_of(path)
    assert checksum_path(path).is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == [], "staging left"
