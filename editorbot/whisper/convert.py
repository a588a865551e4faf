"""Convert a CTranslate2 Whisper model into an openai-whisper checkpoint (.pt), offline."""

import logging
import os
import re
import struct
import tempfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

from editorbot.errors import ModelUnavailable
from editorbot.whisper.model_store import bundled_model_dir, sha256_of

log = logging.getLogger(__name__)

CONVERTED_BASE_NAME = "whisper-base-openai.pt"
# The layout below is CTranslate2's `ModelSpec._serialize` for binary version 6 (ctranslate2 4.x).
_CT2_BINARY_VERSION = 6
_CT2_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
# Runtime switches CTranslate2 stores beside the weights; openai-whisper hard-codes them.
_CT2_FLAGS = {"activation", "alibi", "alignment_heads", "alignment_layer", "num_heads"}
_CT2_FLAGS |= {"pre_norm", "scale_embeddings", "start_from_zero_embedding"}


def _read_string(fh: BinaryIO) -> str:
    (length,) = struct.unpack("<H", fh.read(2))
    return fh.read(length)[:-1].decode("utf-8")  # stored NUL-terminated


def read_ct2_variables(model_bin: Path) -> tuple[str, dict[str, np.ndarray]]:
    """The spec name and every variable of a CTranslate2 model.bin, aliases resolved."""
    with Path(model_bin).open("rb") as fh:
        (version,) = struct.unpack("<I", fh.read(4))
        if version != _CT2_BINARY_VERSION:
            raise ModelUnavailable(
                f"{model_bin} is a CTranslate2 model of binary version {version}; only version "
                f"{_CT2_BINARY_VERSION} (ctranslate2 4.x) can be converted."
            )
        spec_name = _read_string(fh)
        fh.read(4)  # spec revision: the variable names below already say what we need
        (count,) = struct.unpack("<I", fh.read(4))
        variables: dict[str, np.ndarray] = {}
        for _ in range(count):
            name = _read_string(fh)
            (rank,) = struct.unpack("<B", fh.read(1))
            shape = struct.unpack(f"<{rank}I", fh.read(4 * rank))
            (dtype_id,) = struct.unpack("<B", fh.read(1))
            (size,) = struct.unpack("<I", fh.read(4))
            dtype = _CT2_DTYPES[dtype_id]
            if dtype == "bfloat16":
                raise ModelUnavailable(f"{model_bin} stores bfloat16 weights; convert from fp16.")
            variables[name] = np.frombuffer(fh.read(size), dtype=dtype).reshape(shape)
        (alias_count,) = struct.unpack("<I", fh.read(4))
        for _ in range(alias_count):
            alias, target = _read_string(fh), _read_string(fh)
            variables[alias] = variables[target]
    return spec_name, variables


def _layer_count(variables: dict[str, np.ndarray], stack: str) -> int:
    scopes = {name.split("/")[1] for name in variables if name.startswith(f"{stack}/")}
    return sum(1 for scope in scopes if re.fullmatch(r"layer_\d+", scope))


class _StateDict:
    """Collects openai-whisper tensors and remembers which CTranslate2 variables were used."""

    def __init__(self, variables: dict[str, np.ndarray]) -> None:
        self.variables = variables
        self.used: set[str] = set()
        self.tensors: dict[str, np.ndarray] = {}

    def take(self, ct2_name: str) -> np.ndarray:
        self.used.add(ct2_name)
        return self.variables[ct2_name]

    def copy(self, target: str, ct2_name: str) -> None:
        self.tensors[target] = self.take(ct2_name)

    def linear(self, target: str, ct2_scope: str) -> None:
        self.copy(f"{target}.weight", f"{ct2_scope}/weight")
        self.copy(f"{target}.bias", f"{ct2_scope}/bias")

    def layer_norm(self, target: str, ct2_scope: str) -> None:
        self.copy(f"{target}.weight", f"{ct2_scope}/gamma")
        self.copy(f"{target}.bias", f"{ct2_scope}/beta")

    def split_linear(self, targets: list[str], ct2_scope: str) -> None:
        """Undo CTranslate2's fusion of several projections into one matrix."""
        weights = np.split(self.take(f"{ct2_scope}/weight"), len(targets))
        biases = np.split(self.take(f"{ct2_scope}/bias"), len(targets))
        for target, weight, bias in zip(targets, weights, biases, strict=True):
            self.tensors[f"{target}.weight"] = weight
            if not target.endswith(".key"):
                # openai-whisper's key has no bias; CTranslate2 fills zeros there, and any key
                # bias would add the same q·b to every score of a query, which softmax ignores.
                self.tensors[f"{target}.bias"] = bias


def _block(state: _StateDict, target: str, scope: str, cross_attention: bool) -> None:
    state.split_linear(
        [f"{target}.attn.{p}" for p in ("query", "key", "value")],
        f"{scope}/self_attention/linear_0",
    )
    state.linear(f"{target}.attn.out", f"{scope}/self_attention/linear_1")
    state.layer_norm(f"{target}.attn_ln", f"{scope}/self_attention/layer_norm")
    if cross_attention:
        state.linear(f"{target}.cross_attn.query", f"{scope}/attention/linear_0")
        state.split_linear(
            [f"{target}.cross_attn.key", f"{target}.cross_attn.value"],
            f"{scope}/attention/linear_1",
        )
        state.linear(f"{target}.cross_attn.out", f"{scope}/attention/linear_2")
        state.layer_norm(f"{target}.cross_attn_ln", f"{scope}/attention/layer_norm")
    state.linear(f"{target}.mlp.0", f"{scope}/ffn/linear_0")
    state.linear(f"{target}.mlp.2", f"{scope}/ffn/linear_1")
    state.layer_norm(f"{target}.mlp_ln", f"{scope}/ffn/layer_norm")


def ct2_to_openai_checkpoint(model_dir: Path) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """openai-whisper's `dims` and state dict (as float16 arrays) for a CTranslate2 model."""
    model_bin = Path(model_dir) / "model.bin"
    if not model_bin.is_file():
        raise ModelUnavailable(f"No CTranslate2 model at {model_dir} (model.bin is missing).")
    spec_name, variables = read_ct2_variables(model_bin)
    if spec_name != "WhisperSpec":
        raise ModelUnavailable(f"{model_dir} holds a {spec_name}, not a Whisper model.")
    state = _StateDict(variables)
    encoder_layers = _layer_count(variables, "encoder")
    decoder_layers = _layer_count(variables, "decoder")

    state.linear("encoder.conv1", "encoder/conv1")
    state.linear("encoder.conv2", "encoder/conv2")
    state.copy("encoder.positional_embedding", "encoder/position_encodings/encodings")
    for i in range(encoder_layers):
        _block(state, f"encoder.blocks.{i}", f"encoder/layer_{i}", cross_attention=False)
    state.layer_norm("encoder.ln_post", "encoder/layer_norm")

    state.copy("decoder.token_embedding.weight", "decoder/embeddings/weight")
    state.copy("decoder.positional_embedding", "decoder/position_encodings/encodings")
    for i in range(decoder_layers):
        _block(state, f"decoder.blocks.{i}", f"decoder/layer_{i}", cross_attention=True)
    state.layer_norm("decoder.ln", "decoder/layer_norm")

    # openai-whisper computes logits with the token embedding itself; a separate output
    # projection (or its bias) would be silently lost, so refuse such a model.
    projection = state.take("decoder/projection/weight")
    if not np.array_equal(projection, state.tensors["decoder.token_embedding.weight"]):
        raise ModelUnavailable(f"{model_dir} has an output projection openai-whisper cannot hold.")
    left_over = {
        name for name in variables.keys() - state.used if name.rsplit("/", 1)[-1] not in _CT2_FLAGS
    }
    if left_over:
        raise ModelUnavailable(
            f"{model_dir} has weights with no openai-whisper counterpart: {sorted(left_over)[:5]}"
        )

    dims = {
        "n_mels": int(variables["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(variables["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": int(variables["encoder/position_encodings/encodings"].shape[1]),
        "n_audio_head": int(variables["encoder/num_heads"]),
        "n_audio_layer": encoder_layers,
        "n_vocab": int(variables["decoder/embeddings/weight"].shape[0]),
        "n_text_ctx": int(variables["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(variables["decoder/position_encodings/encodings"].shape[1]),
        "n_text_head": int(variables["decoder/num_heads"]),
        "n_text_layer": decoder_layers,
    }
    return dims, state.tensors


def convert_to_openai_whisper(model_dir: Path, out: Path) -> Path:
    """Write `model_dir` (CTranslate2) as an openai-whisper .pt at `out`, atomically."""
    torch = import_torch()
    dims, arrays = ct2_to_openai_checkpoint(model_dir)
    # float16 like OpenAI's own checkpoints: lossless from an fp16 model, half the size of fp32;
    # openai-whisper casts to its fp32 parameters on load.
    state_dict = {
        name: torch.from_numpy(np.array(array, dtype=np.float16))  # a writable copy
        for name, array in arrays.items()
    }
    out = Path(out).expanduser()
    out.parent.mkdir(parents=True, exist_ok=True)
    # Write aside and rename, so a crash or a parallel conversion never leaves half a file.
    fd, staging = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            torch.save({"dims": dims, "model_state_dict": state_dict}, fh)
        os.chmod(staging, 0o644)  # mkstemp's 0600 would hide the model from other local users
        digest = sha256_of(Path(staging))
        os.replace(staging, out)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    # Recorded so `editorbot models verify` can tell a damaged file from a good one later.
    checksum_path(out).write_text(f"{digest}  {out.name}\n")
    return out


def checksum_path(checkpoint: Path) -> Path:
    """The file beside a converted checkpoint that records its sha256 at conversion time."""
    return checkpoint.with_name(checkpoint.name + ".sha256")


def recorded_sha256(checkpoint: Path) -> str | None:
    """The sha256 written when `checkpoint` was converted, if it was converted here."""
    record = checksum_path(checkpoint)
    return record.read_text().split()[0] if record.is_file() else None


def converted_base_path(cache_dir: Path) -> Path:
    """Where the bundled base model converted for openai-whisper lives."""
    return Path(cache_dir) / CONVERTED_BASE_NAME


def converted_base_model(cache_dir: Path) -> Path:
    """The converted base model, converting the bundled one on first use."""
    target = converted_base_path(cache_dir)
    if not target.is_file():
        log.info("Converting the bundled Whisper base model for openai-whisper into %s", target)
        convert_to_openai_whisper(bundled_model_dir(cache_dir), target)
    return target


OPENAI_WHISPER_INSTALL = "bash scripts/install-openai-whisper.sh"


def import_torch():
    """torch, or a sentence saying how to install the openai-whisper extra."""
    try:
        import torch
    except ImportError:
        raise ModelUnavailable(
            "The openai-whisper engine is not installed (torch is missing); install it with "
            f"`{OPENAI_WHISPER_INSTALL}`, or set EDITORBOT_WHISPER_ENGINE=faster-whisper."
        ) from None
    return torch
