"""Shared fixtures: an isolated Prefect home, a real local Prefect API, sample notes."""

import os
import subprocess
import tempfile
from pathlib import Path

# Prefect reads its settings when first imported: isolate it before any test module loads it.
_PREFECT_HOME = tempfile.mkdtemp(prefix="editorbot-tests-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.pop("PREFECT_API_URL", None)

import pytest  # noqa: E402

from harness.fake_secrets import AWS_SECRET_ACCESS_KEY  # noqa: E402

# pytester lets a test run an inner pytest session (tests/integration/test_secret_scan.py).
pytest_plugins = ["pytester", "tests.secret_scan"]

DATA = Path(__file__).parent / "data"
SAMPLES = Path(__file__).parent.parent / "samples"


@pytest.fixture(scope="session")
def prefect_api(request):
    """A real, temporary Prefect API server for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    from tests.secret_scan import scan_prefect_server

    with prefect_test_harness(server_startup_timeout=120):
        yield
        scan_prefect_server(request.config)  # the run logs it stored, while it still runs


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """Artifacts for one test go to their own directory."""
    directory = tmp_path / "data"
    monkeypatch.setenv("EDITORBOT_STORAGE", f"file://{directory}")
    return directory


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> Path:
    """Real audio in several formats, made once with ffmpeg from the LibriVox clip."""
    out = tmp_path_factory.mktemp("media")
    source = DATA / "librivox_26s.ogg"
    for name, codec in (
        ("note.wav", []),
        ("note.mp3", ["-c:a", "libmp3lame"]),
        ("note.m4a", ["-c:a", "aac"]),
    ):
        ffmpeg("-i", source, "-t", "6", *codec, out / name)
    return out


@pytest.fixture(scope="session")
def bad_inputs(tmp_path_factory) -> dict[str, Path]:
    """The malformed notes of tests/bad_inputs.py, by name, made once with ffmpeg."""
    from tests.bad_inputs import make_bad_inputs

    return make_bad_inputs(tmp_path_factory.mktemp("bad-inputs"), DATA / "es_rioplatense_synth.ogg")


def ffmpeg(*args) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *map(str, args)], check=True)


@pytest.fixture(scope="session")
def s3_endpoint():
    """A moto S3 server for the session, with fake credentials that cannot reach AWS."""
    from harness.s3 import moto_s3

    saved = {k: os.environ.get(k) for k in _FAKE_AWS}
    os.environ.update(_FAKE_AWS)
    with moto_s3("editorbot-test") as endpoint:
        yield endpoint
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


_FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing-not-a-real-key",
    "AWS_SECRET_ACCESS_KEY": AWS_SECRET_ACCESS_KEY,
    "AWS_DEFAULT_REGION": "us-east-1",
}
