"""Secrets kept out of what we write down: log lines, and errors that become run states."""

import contextlib
import functools
import os
import re
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from pydantic import SecretStr

from editorbot.ssm_env import SECRET_ENV_NAMES

REDACTED = "[REDACTED]"

# Shapes that are secrets wherever they appear, configured or not: a Telegram bot token
# (it is also in every Bot API URL) and a Google API key.
TOKEN_SHAPES = re.compile(r"\d{6,10}:[A-Za-z0-9_-]{30,}|AIza[0-9A-Za-z_-]{35,}")

# Shorter "secrets" (a test's "x", an env name) would blank out ordinary words.
_MIN_SECRET_LENGTH = 8

P = ParamSpec("P")
R = TypeVar("R")


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


class Redactor:
    """Replaces the given secrets, and anything shaped like a token, with [REDACTED]."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted(set(secrets), key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_SHAPES.sub(REDACTED, text)

    def redacted_error(self, error: Exception) -> Exception | None:
        """A copy of `error` that carries no secret, or None when `error` carries none.

        Prefect writes a failed task's or flow's exception into its state message (the
        database, the UI) and, for persisted tasks, pickles it into results/: its message,
        its attributes, nothing of its cause. The copy keeps the type where the type takes
        a message alone, so retry rules and a user's sentence (EditorBotError) still work.
        """
        if self.redact(_everything_said(error)) == _everything_said(error):
            return None
        message = self.redact(str(error))
        try:
            copy = type(error)(message)
            if str(copy) != message or _everything_said(copy) != self.redact(
                _everything_said(copy)
            ):
                raise TypeError("the type does not rebuild from its message alone")
        except Exception:
            copy = RedactedError(f"{type(error).__name__}: {message}")
        return copy


class RedactedError(RuntimeError):
    """An error whose type could not be rebuilt without the secret it carried."""


def _everything_said(error: BaseException) -> str:
    """What an error could reveal: its message and attributes, and those of its causes."""
    said, seen = [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        said += [str(error), repr(error.args)]
        with contextlib.suppress(Exception):
            said.append(repr(vars(error)))
        error = error.__cause__ or error.__context__
    return "\n".join(said)


def configured_redactor() -> Redactor:
    """A Redactor for the secrets configured now (settings and the SSM-filled variables)."""
    from editorbot.settings import get_settings

    try:
        settings = get_settings()
    except Exception:  # settings that do not load still leave the environment's secrets
        settings = None
    return Redactor(secret_values(settings))


def redacting_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn`, but an exception it raises carries no configured secret or token shape.

    The safety net under every task and the flow: whatever error escapes them becomes a
    Prefect state and, for a persisted task, a result, and neither may hold a secret.
    """

    @functools.wraps(fn)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except Exception as error:
            copy = configured_redactor().redacted_error(error)
            if copy is None:
                raise
            # `from None`: the original, secret and all, is not chained to the copy.
            raise copy.with_traceback(error.__traceback__) from None

    return guarded
