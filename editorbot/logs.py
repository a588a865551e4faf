"""Structured logs for services: JSON lines on stdout, secrets and token-shaped text redacted."""

import contextlib
import contextvars
import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr

from editorbot.errors import EditorBotError
from editorbot.ssm_env import SECRET_ENV_NAMES

REDACTED = "[REDACTED]"

# Shapes that are secrets wherever they appear, configured or not: a Telegram bot token
# (it is also in every Bot API URL) and a Google API key.
TOKEN_SHAPES = re.compile(r"\d{6,10}:[A-Za-z0-9_-]{30,}|AIza[0-9A-Za-z_-]{35,}")

# Shorter "secrets" (a test's "x", an env name) would blank out ordinary words.
_MIN_SECRET_LENGTH = 8

# Prefect's logging config for services; see prefect_logging.yml for why it exists.
# It sets the same levels as install_handler: our packages at INFO, other libraries at WARNING.
PREFECT_LOGGING_CONFIG = Path(__file__).with_name("prefect_logging.yml")

OUR_PACKAGES = ("editorbot", "bot", "flows", "tasks")

# The pipeline's run key for records logged inside a run, when the caller bound one.
_run_key: contextvars.ContextVar[str | None] = contextvars.ContextVar("run_key", default=None)


@contextlib.contextmanager
def run_key_bound(run_key: str) -> Iterator[None]:
    """Every record logged inside this block carries `run_key`."""
    token = _run_key.set(run_key)
    try:
        yield
    finally:
        _run_key.reset(token)


def secret_values(settings=None) -> set[str]:
    """The configured secrets: the settings' SecretStr fields and the variables SSM fills."""
    values = {os.environ.get(name, "") for name in SECRET_ENV_NAMES}
    if settings is not None:
        for name in type(settings).model_fields:
            value = getattr(settings, name)
            if isinstance(value, SecretStr):
                values.add(value.get_secret_value())
    for value in list(values):
        # The password alone can show up too: decoded from a basic-auth header, or quoted by
        # a database driver from its connection URL.
        if "://" in value:
            with contextlib.suppress(ValueError):
                values.add(urlsplit(value).password or "")
        elif value.count(":") == 1:
            values.add(value.split(":", 1)[1])
    return {value for value in values if len(value) >= _MIN_SECRET_LENGTH}


class RedactSecrets(logging.Filter):
    """Rewrites each record so its message and traceback carry no secret and no token shape."""

    def __init__(self, secrets: Iterable[str] | None = None) -> None:
        super().__init__()
        # Built from the environment when constructed from Prefect's YAML (no settings there).
        values = secret_values() if secrets is None else set(secrets)
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted(values, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_SHAPES.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is rather than drop it
            message = f"{record.msg} {record.args}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


# Prefect's run loggers, where its engine reports a failed task or flow run.
PREFECT_RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")
# How Prefect 3 words a failed task's final state: "... encountered an exception BadAudio: ..."
_FAILED_STATE = re.compile(r"^Finished in state Failed\('Task run encountered an exception (\w+): ")


def _user_error_names() -> set[str]:
    """The names of EditorBotError and every subclass defined so far (flows add their own)."""
    names, pending = set(), [EditorBotError]
    while pending:
        kind = pending.pop()
        names.add(kind.__name__)
        pending.extend(kind.__subclasses__())
    return names


class UserErrorsAsWarnings(logging.Filter):
    """Makes Prefect's report of a user's error (an EditorBotError) one warning line.

    Prefect logs a failed run at ERROR with its traceback, and a failed task at ERROR too;
    for a note the user was already told about (bad audio, unknown dialect...) that reads as
    an outage. The flow's line stays, as a WARNING without traceback; the task's lines drop to
    INFO. Every other exception keeps its level and its traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, EditorBotError):
            record.exc_info, record.exc_text = None, None
            level = logging.WARNING if record.name == "prefect.flow_runs" else logging.INFO
            record.levelno, record.levelname = level, logging.getLevelName(level)
        elif record.levelno >= logging.ERROR and record.name == "prefect.task_runs":
            failed = _FAILED_STATE.match(record.getMessage())
            if failed and failed.group(1) in _user_error_names():
                record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def report_user_errors_as_warnings() -> None:
    """Install UserErrorsAsWarnings on Prefect's run loggers (once per process)."""
    for name in PREFECT_RUN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, UserErrorsAsWarnings) for f in logger.filters):
            logger.addFilter(UserErrorsAsWarnings())


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, run_key, step, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        run_key = getattr(record, "run_key", None) or _run_key.get()
        if run_key:
            entry["run_key"] = run_key
        # Prefect's run loggers name the task; `extra={"step": ...}` names it elsewhere.
        step = getattr(record, "step", None) or getattr(record, "task_name", None)
        if step and step != "<unknown>":
            entry["step"] = step
        for field in ("flow_run_id", "task_run_id"):
            value = getattr(record, field, None)
            if value and value != "<unknown>":
                entry[field] = str(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def install_handler(log_format: str, secrets: Iterable[str] | None = None) -> logging.Handler:
    """Replace the root handlers with one for `json` (stdout) or `text` (stderr) lines."""
    if log_format not in ("json", "text"):
        raise ValueError(f"log format must be json or text, not {log_format!r}")
    if log_format == "json":
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        # Prefect (in this process or a command exec'd from it) logs through the same JSON lines.
        os.environ.setdefault("PREFECT_LOGGING_CONFIG_PATH", str(PREFECT_LOGGING_CONFIG))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    # Libraries' INFO (database migrations, schedulers) is noise in a service's log.
    root.setLevel(logging.WARNING)
    for package in OUR_PACKAGES:
        logging.getLogger(package).setLevel(logging.INFO)
    _quiet_http_clients()
    return handler


def _quiet_http_clients() -> None:
    # Their INFO lines print request URLs, and a Telegram Bot API URL carries the token.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def configure_logging(settings=None) -> None:
    """Set up logging once at start-up: JSON lines for services, terminal output left alone."""
    if settings is None:
        from editorbot.settings import get_settings

        settings = get_settings()
    secrets = secret_values(settings)
    if settings.log_format == "json":
        install_handler("json", secrets)
        return
    # People at a terminal keep the CLI's own output; whatever handlers exist still redact.
    _quiet_http_clients()
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactSecrets(secrets))
