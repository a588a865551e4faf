"""The server role as its container runs it: entry point, SSM secrets, our Prefect server."""

import base64
import json
import os
import signal
import subprocess
import sysconfig
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from harness.fake_secrets import PREFECT_AUTH_STRING as FAKE_AUTH
from harness.fake_secrets import WRONG_PREFECT_AUTH_STRING
from harness.s3 import free_port
from harness.ssm import FAKE_AWS, moto_ssm
from shells.healthcheck import probe

SERVER_COMMAND = ("editorbot-prefect-server", "--host", "127.0.0.1", "--port")


def _post(url: str, auth: str | None) -> int:
    request = urllib.request.Request(url, data=b"{}", method="POST")
    request.add_header("Content-Type", "application/json")
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
def test_the_server_takes_its_auth_string_from_ssm_and_logs_json_lines(tmp_path):
    scripts = Path(sysconfig.get_path("scripts"))
    port = free_port()
    with moto_ssm() as (endpoint, client):
        client.put_parameter(
            Name="/editorbot/dev/server/prefect_api_auth_string",
            Value=FAKE_AUTH,
            Type="SecureString",
        )
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PREFECT_"))},
            **FAKE_AWS,
            "AWS_ENDPOINT_URL_SSM": endpoint,
            "EDITORBOT_SSM_PREFIX": "/editorbot/dev/",
            "EDITORBOT_ROLE": "server",  # as the image's server target sets it
            "EDITORBOT_LOG_FORMAT": "json",
            "PREFECT_HOME": str(tmp_path / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PATH": f"{scripts}{os.pathsep}{os.environ['PATH']}",
        }
        # Loopback here; the container passes 0.0.0.0 and compose publishes on 127.0.0.1.
        server = subprocess.Popen(
            [scripts / "editorbot-entrypoint", *SERVER_COMMAND, str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        api = f"http://127.0.0.1:{port}/api"
        try:
            deadline = time.monotonic() + 120
            while probe(f"{api}/health") is not None:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "the server did not become healthy"
                time.sleep(1)
            assert _post(f"{api}/flows/filter", None) == 401
            assert _post(f"{api}/flows/filter", WRONG_PREFECT_AUTH_STRING) == 401
            assert _post(f"{api}/flows/filter", FAKE_AUTH) == 200
        finally:
            server.send_signal(signal.SIGINT)
            try:
                out, err = server.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                out, err = server.communicate()
    assert FAKE_AUTH.split(":")[1] not in out + err
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    loaded = [line for line in lines if line["logger"] == "editorbot.entrypoint"]
    assert "PREFECT_SERVER_API_AUTH_STRING" in loaded[0]["message"], out
    # Libraries' INFO chatter (database migrations) stays out of the service log.
    assert not [line for line in lines if line["logger"].startswith("alembic")], out
