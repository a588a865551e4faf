"""Fail closed: the Prefect server and its clients refuse an empty or placeholder auth string."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from harness.s3 import free_port
from harness.ssm import FAKE_AWS, moto_ssm
from harness.stack import EDITORBOT, SCRIPTS, child_env

ROOT = Path(__file__).resolve().parents[2]
# The placeholders as the repository ships them: a copied .env.example, Terraform's SSM value.
ENV_EXAMPLE = re.search(
    r"^PREFECT_SERVER_API_AUTH_STRING=(.*)$", (ROOT / ".env.example").read_text(), re.MULTILINE
)[1]
TERRAFORM = re.search(
    r'value_wo\s+=\s+"([^"]+)"', (ROOT / "infra/modules/secrets/main.tf").read_text()
)[1]
HOW = "set it to user:long-random-password"


def serve(port: int, **settings: str) -> subprocess.CompletedProcess:
    """The server container's command, through its entry point; it must not get to serve."""
    env = child_env(EDITORBOT_ROLE="server", EDITORBOT_LOG_FORMAT="text", **settings)
    command = [str(SCRIPTS / "editorbot-entrypoint"), "editorbot-prefect-server"]
    # A server that started would not return: the timeout fails the test instead.
    return subprocess.run(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )


@pytest.mark.parametrize(
    ("settings", "state"),
    [
        ({}, "is not set"),
        ({"PREFECT_SERVER_API_AUTH_STRING": ""}, "is not set"),
        ({"PREFECT_SERVER_API_AUTH_STRING": ENV_EXAMPLE}, "is still the placeholder"),
    ],
    ids=["unset", "empty", "env-example"],
)
def test_the_server_refuses_to_start_without_a_real_auth_string(settings, state):
    done = serve(free_port(), **settings)
    assert done.returncode == 78, done.stdout + done.stderr
    (line,) = [
        line for line in done.stderr.splitlines() if "PREFECT_SERVER_API_AUTH_STRING" in line
    ]
    assert f"PREFECT_SERVER_API_AUTH_STRING {state}; {HOW}" in line
    assert "Traceback" not in done.stderr and "Uvicorn" not in done.stdout + done.stderr


def test_the_server_refuses_terraforms_placeholder_from_ssm():
    with moto_ssm() as (endpoint, client):
        client.put_parameter(
            Name="/editorbot/fail-closed/server/prefect_api_auth_string",
            Value=TERRAFORM,
            Type="SecureString",
            Overwrite=True,  # moto keeps one store per process, shared by every test
        )
        done = serve(
            free_port(),
            **FAKE_AWS,
            AWS_ENDPOINT_URL_SSM=endpoint,
            EDITORBOT_SSM_PREFIX="/editorbot/fail-closed/",
        )
    assert done.returncode == 78, done.stdout + done.stderr
    assert "loaded PREFECT_API_AUTH_STRING, PREFECT_SERVER_API_AUTH_STRING" in done.stderr
    assert f"PREFECT_SERVER_API_AUTH_STRING is still the placeholder; {HOW}" in done.stderr


CLIENTS = {
    "runs, unset": (["runs"], {}, "is not set"),
    "serve, empty": (["serve"], {"PREFECT_API_AUTH_STRING": ""}, "is not set"),
    "serve, env-example": (["serve"], {"PREFECT_API_AUTH_STRING": ENV_EXAMPLE}, "is still the"),
    "bot, terraform": (["bot"], {"PREFECT_API_AUTH_STRING": TERRAFORM}, "is still the"),
    "approve, unset": (["approve", "0b1e7c9c-0000-0000-0000-000000000000"], {}, "is not set"),
}


@pytest.mark.parametrize(("args", "settings", "state"), CLIENTS.values(), ids=CLIENTS.keys())
def test_every_client_of_a_server_refuses_too(tmp_path, args, settings, state):
    # Nothing listens there: a client that tried to connect would fail another way.
    api = f"http://127.0.0.1:{free_port()}/api"
    done = subprocess.run(
        [*EDITORBOT, "--data-dir", str(tmp_path), *args],
        env=child_env(PREFECT_API_URL=api, **settings),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    (said,) = [line for line in done.stderr.splitlines() if line.startswith("editorbot:")]
    assert said.startswith(f"editorbot: PREFECT_API_AUTH_STRING {state}"), said
    assert HOW in said and "Traceback" not in done.stderr
    assert not os.listdir(tmp_path), "a refused client created nothing"
