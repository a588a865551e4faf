"""JSON-lines logs: redaction of secrets and token shapes, parseable lines, exceptions kept."""

import io
import json
import logging
import os

import pytest

from editorbot.logs import (
    PREFECT_LOGGING_CONFIG,
    REDACTED,
    JsonFormatter,
    RedactSecrets,
    configure_logging,
    run_key_bound,
    secret_values,
)
from editorbot.settings import Settings

# The session's secret scan knows these too; these tests' records still pass it, because
# they reach no handler of the root logger unredacted (see tests/secret_scan.py).
from harness.fake_secrets import DATABASE_PASSWORD, PREFECT_AUTH_STRING
from harness.fake_secrets import GEMINI_KEY_SHAPED as FAKE_GEMINI
from harness.fake_secrets import LLM_KEY as FAKE_LLM_KEY
from harness.fake_secrets import TELEGRAM_TOKEN_SHAPED as FAKE_TOKEN


def _capture(secrets=()):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecrets(secrets))
    logger = logging.getLogger(f"test.logs.{id(stream)}")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return logger, stream


def _lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_token_shapes_are_redacted_wherever_they_are():
    logger, stream = _capture()
    logger.info("POST https://api.telegram.org/bot%s/getUpdates", FAKE_TOKEN)
    logger.warning("key=%s", FAKE_GEMINI)
    first, second = _lines(stream)
    assert first["message"] == f"POST https://api.telegram.org/bot{REDACTED}/getUpdates"
    assert second["message"] == f"key={REDACTED}"
    assert FAKE_TOKEN not in stream.getvalue() and FAKE_GEMINI not in stream.getvalue()


def test_configured_secrets_are_redacted_even_without_a_known_shape():
    logger, stream = _capture([FAKE_LLM_KEY])
    logger.error("the endpoint refused %s", FAKE_LLM_KEY)
    assert _lines(stream)[0]["message"] == f"the endpoint refused {REDACTED}"


def test_a_line_is_json_with_level_logger_run_key_and_step():
    logger, stream = _capture()
    with run_key_bound("2026/11/28/42-7"):
        logger.info("transcribed %d segments", 12, extra={"step": "transcribe"})
    logger.info("outside a run")
    inside, outside = _lines(stream)
    assert inside["message"] == "transcribed 12 segments"
    assert (inside["level"], inside["run_key"], inside["step"]) == (
        "INFO",
        "2026/11/28/42-7",
        "transcribe",
    )
    assert inside["logger"] == logger.name and inside["time"].endswith("+00:00")
    assert "run_key" not in outside and "step" not in outside


def test_an_exception_is_included_and_redacted():
    logger, stream = _capture()
    try:
        raise RuntimeError(f"bad token {FAKE_TOKEN}")
    except RuntimeError:
        logger.exception("download failed")
    line = _lines(stream)[0]
    assert line["message"] == "download failed"
    assert "Traceback" in line["exception"] and "RuntimeError: bad token" in line["exception"]
    assert FAKE_TOKEN not in stream.getvalue()


def test_prefect_run_loggers_name_the_step():
    logger, stream = _capture()
    logger.info("done", extra={"task_name": "mediate", "flow_run_id": "f-1", "task_run_id": "t-1"})
    line = _lines(stream)[0]
    assert (line["step"], line["flow_run_id"], line["task_run_id"]) == ("mediate", "f-1", "t-1")


@pytest.fixture
def clean_root(monkeypatch):
    """The root logger, levels and PREFECT_LOGGING_CONFIG_PATH as they were, after the test."""
    # setenv first records the original state (set or not), so teardown restores exactly it.
    monkeypatch.setenv("PREFECT_LOGGING_CONFIG_PATH", "unset-by-the-test")
    monkeypatch.delenv("PREFECT_LOGGING_CONFIG_PATH")
    root = logging.getLogger()
    names = ("httpx", "httpcore", "editorbot", "bot", "flows", "tasks")
    saved = root.handlers[:], root.level, {n: logging.getLogger(n).level for n in names}
    yield root
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def test_json_format_installs_one_redacting_stdout_handler(clean_root, capsys):
    settings = Settings(log_format="json", gemini_api_key=FAKE_LLM_KEY)
    configure_logging(settings)
    logging.getLogger("editorbot.test").info("key %s", FAKE_LLM_KEY)
    assert json.loads(capsys.readouterr().out)["message"] == f"key {REDACTED}"
    assert len(clean_root.handlers) == 1
    assert logging.getLogger("httpx").level == logging.WARNING
    assert os.environ["PREFECT_LOGGING_CONFIG_PATH"] == str(PREFECT_LOGGING_CONFIG)


def test_our_packages_log_info_and_libraries_only_warnings(clean_root, capsys):
    configure_logging(Settings(log_format="json"))
    logging.getLogger("tasks.transcribe").info("ours")
    logging.getLogger("alembic.runtime.migration").info("theirs")
    logging.getLogger("alembic.runtime.migration").warning("theirs, and it matters")
    messages = [json.loads(line)["message"] for line in capsys.readouterr().out.splitlines()]
    assert messages == ["ours", "theirs, and it matters"]


def test_passwords_inside_configured_auth_strings_and_urls_are_secrets_too(monkeypatch):
    monkeypatch.setenv("PREFECT_API_AUTH_STRING", PREFECT_AUTH_STRING)
    monkeypatch.setenv(
        "PREFECT_SERVER_DATABASE_CONNECTION_URL",
        f"postgresql+asyncpg://prefect:{DATABASE_PASSWORD}@postgres:5432/prefect",
    )
    values = secret_values()
    assert {PREFECT_AUTH_STRING.split(":")[1], DATABASE_PASSWORD} <= values
    line = RedactSecrets(values).redact(f"auth failed for {DATABASE_PASSWORD}")
    assert line == f"auth failed for {REDACTED}"


def test_our_prefect_logging_config_covers_every_logger_prefect_configures():
    """A Prefect upgrade that adds a logger to its own config must be mirrored in ours."""
    import yaml
    from prefect.logging.configuration import DEFAULT_LOGGING_SETTINGS_PATH

    theirs = yaml.safe_load(DEFAULT_LOGGING_SETTINGS_PATH.read_text())
    ours = yaml.safe_load(PREFECT_LOGGING_CONFIG.read_text())
    assert set(theirs["loggers"]) <= set(ours["loggers"])
    assert set(theirs["handlers"]) - {"console", "debug"} <= set(ours["handlers"])
    for name in ("api", "worker_api", "stdout_json"):
        assert ours["handlers"][name]["filters"] == ["redact"], name
