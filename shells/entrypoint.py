"""The container entry point: SSM secrets into the environment, then exec the role's command."""

import logging
import os
import sys

from editorbot.api_auth import AuthStringUnset, require_auth_string
from editorbot.errors import InvalidSetting
from editorbot.logs import install_handler
from editorbot.settings import get_settings
from editorbot.ssm_env import SecretsUnavailable, load_env, normalize_prefix, role_prefix

# sysexits.h: the command line was wrong / the configuration is unusable.
EX_USAGE, EX_CONFIG = 64, 78

log = logging.getLogger("editorbot.entrypoint")


def main(argv: list[str] | None = None) -> int:
    """Load `EDITORBOT_SSM_PREFIX` (when set) and become `argv`; returns only on failure."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        install_handler(os.environ.get("EDITORBOT_LOG_FORMAT", "text"))
    except ValueError as error:
        print(f"editorbot-entrypoint: EDITORBOT_LOG_FORMAT: {error}", file=sys.stderr)
        return EX_CONFIG
    if not argv:
        log.error("usage: editorbot-entrypoint COMMAND [ARG...]")
        return EX_USAGE
    # Each image target names its role (Dockerfile); the role picks its secrets and its checks.
    role = os.environ.get("EDITORBOT_ROLE", "").strip()
    prefix = os.environ.get("EDITORBOT_SSM_PREFIX", "").strip()
    try:
        if prefix:
            path = role_prefix(prefix, role) if role else normalize_prefix(prefix)
            env = load_env(path)
            # SSM is the source of truth where it is configured: it wins over a stale variable.
            os.environ.update(env)
            # Again, so the redaction filter knows the values just loaded.
            install_handler(os.environ.get("EDITORBOT_LOG_FORMAT", "text"))
            # Names only: a value on stdout would land in CloudWatch.
            log.info("loaded %s from %s", ", ".join(sorted(env)), path)
        # Here, not in the role's command: a bad value stops the container with one sentence
        # in its log rather than a traceback from whichever process reads it first.
        get_settings()
        if role == "server":
            # Prefect serves its API open without one; the clients check theirs in the CLI.
            require_auth_string(
                os.environ.get("PREFECT_SERVER_API_AUTH_STRING"), "PREFECT_SERVER_API_AUTH_STRING"
            )
    except (SecretsUnavailable, AuthStringUnset, InvalidSetting) as error:
        log.error("%s", error)
        return EX_CONFIG
    for handler in logging.getLogger().handlers:
        handler.flush()
    try:
        os.execvp(argv[0], argv)
    except OSError as error:
        log.error("cannot run %s: %s", argv[0], error.strerror)
        return 127
    return 0  # not reached: exec replaced this process


if __name__ == "__main__":
    sys.exit(main())
