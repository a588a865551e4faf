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

# pytester lets a test run an inner pytest session (tests/integration/test_secret_scan.py).
pytest_plugins = ["pytester", "tests.secret_scan"]

DATA = Path(__file__).parent / "data"
SAMPLES = Path(__file__).parent.parent / "samples"


@pytest.fixture(scope="session")
def prefect_api(request, tmp_path_factory):
    """A real Prefect server for the whole session, started as compose.yaml starts it.

    Not `prefect_test_harness`: its ephemeral server runs none of the server's services, so
    a slot whose holder was killed stayed taken for the rest of the session (production's
    repossessor frees it once its lease ends), and every later render waited for it.
    """
    from prefect.context import _temporary_global_settings_context, get_settings_context

    from harness.stack import prefect_server
    from tests.secret_scan import scan_prefect_server

    with (
        prefect_server(tmp_path_factory.mktemp("session-server")) as server,
        server.as_client(),
        # Threads start with no settings context of their own (the bot's, a local run's):
        # they read the global one, which would have no API and start an ephemeral server.
        # prefect_test_harness does the same.
        _temporary_global_settings_context(get_settings_context()),
    ):
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
        ("note.webm", ["-c:a", "libopus"]),
        ("note.flac", ["-c:a", "flac"]),
        ("note.aac", ["-c:a", "aac"]),  # raw ADTS
    ):
        ffmpeg("-i", source, "-t", "6", *codec, out / name)
    return out


@pytest.fixture(scope="session")
def bad_inputs(tmp_path_factory) -> dict[str, Path]:
    """The malformed notes of tests/bad_inputs.py, by name, made once with ffmpeg."""
    from tests.bad_inputs import make_bad_inputs

    return make_bad_inputs(tmp_path_factory.mktemp("bad-inputs"), DATA / "es_rioplatense_synth.ogg")


@pytest.fixture(scope="session")
def hostile_inputs(tmp_path_factory) -> dict[str, Path]:
    """The hostile notes of harness/hostile_notes.py, by name; their lures in `targets/` beside."""
    from harness.hostile_notes import make_hostile_inputs

    out = tmp_path_factory.mktemp("hostile-inputs")
    return make_hostile_inputs(out, DATA / "es_rioplatense_synth.ogg")


def ffmpeg(*args) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *map(str, args)], check=True)


@pytest.fixture(scope="session")
def aws(request):
    """The session's AWS: moto with IAM on, S3 behind the proxy that enforces what moto does
    not; this process's AWS_* variables (so every child process's too) hold the keys of the
    user with exactly the runner role's statements, fakes that reach nothing else."""
    from harness.s3 import REGION, aws_with_iam
    from tests.secret_scan import PLUGIN_NAME

    saved = {k: os.environ.get(k) for k in _AWS_VARIABLES}
    with aws_with_iam() as stand_in:
        scan = request.config.pluginmanager.get_plugin(PLUGIN_NAME)
        if scan is not None:
            scan.watch_for("the AWS stand-in's app secret key", stand_in.app.secret_access_key)
            scan.watch_for("the AWS stand-in's admin secret key", stand_in.admin.secret_access_key)
        os.environ.update(
            AWS_ACCESS_KEY_ID=stand_in.app.access_key_id,
            AWS_SECRET_ACCESS_KEY=stand_in.app.secret_access_key,
            AWS_DEFAULT_REGION=REGION,
        )
        os.environ.pop("AWS_SESSION_TOKEN", None)
        yield stand_in
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def s3_endpoint(aws) -> str:
    """Where the code finds S3 (EDITORBOT_S3_ENDPOINT_URL), IAM enforced."""
    return aws.endpoint


@pytest.fixture
def s3_bucket(aws) -> str:
    """A bucket of its own for one test, made as Terraform makes it, the app user granted."""
    return aws.new_bucket()


_AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_DEFAULT_REGION",
    "AWS_SESSION_TOKEN",
)
