"""Prefect's own loggers, in a process of their own, write the same redacted JSON lines."""

import json
import os
import subprocess
import sys

from editorbot.logs import PREFECT_LOGGING_CONFIG, REDACTED
from harness.fake_secrets import TELEGRAM_TOKEN_SHAPED as FAKE_TOKEN


def test_prefect_logs_go_through_the_same_json_lines():
    """A fresh process with Prefect's logging config from PREFECT_LOGGING_CONFIG_PATH."""
    code = (
        "import logging; from prefect import flow; "
        "logging.getLogger('prefect.flow_runs').info('flow says %s', "
        f"'{FAKE_TOKEN}'); "
        # The run page in the UI gets its lines through the API handler: redacted as well.
        "print('api filters:', [type(f).__name__ for h in "
        "logging.getLogger('prefect.flow_runs').handlers for f in h.filters])"
    )
    env = {**os.environ, "PREFECT_LOGGING_CONFIG_PATH": str(PREFECT_LOGGING_CONFIG)}
    # The CLI's quiet mode must not mute a service's handler.
    env["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "CRITICAL"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert any(
        line["logger"] == "prefect.flow_runs" and line["message"] == f"flow says {REDACTED}"
        for line in lines
    ), done.stdout
    assert FAKE_TOKEN not in done.stdout + done.stderr
    assert "api filters: ['RedactSecrets']" in done.stdout
