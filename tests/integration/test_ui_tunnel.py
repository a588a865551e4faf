"""scripts/ui-tunnel.sh builds the SSM port-forwarding command; a stand-in `aws` records it."""

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ui-tunnel.sh"


@pytest.fixture
def fake_aws(tmp_path) -> Path:
    """An `aws` first on PATH that writes its arguments, one per line, instead of calling AWS."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {tmp_path / "aws-args"}\n')
    aws.chmod(0o755)
    return tmp_path


def tunnel(fake_aws: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{fake_aws / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=30
    )


def test_the_tunnel_forwards_the_vm_port_4200_to_the_same_local_port(fake_aws):
    result = tunnel(fake_aws, "--instance", "i-0123456789abcdef0")
    assert result.returncode == 0, result.stderr
    assert (fake_aws / "aws-args").read_text().splitlines() == [
        "ssm",
        "start-session",
        "--target",
        "i-0123456789abcdef0",
        "--document-name",
        "AWS-StartPortForwardingSession",
        "--parameters",
        "portNumber=4200,localPortNumber=4200",
    ]
    assert "PREFECT_UI_API_URL" not in result.stderr


def test_another_local_port_comes_with_the_ui_api_url_to_set(fake_aws):
    result = tunnel(fake_aws, "--instance", "i-0123456789abcdef0", "--local-port", "4300")
    assert result.returncode == 0, result.stderr
    assert "portNumber=4200,localPortNumber=4300" in (fake_aws / "aws-args").read_text()
    assert "PREFECT_UI_API_URL=http://localhost:4300/api" in result.stderr


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--instance", "not-an-instance"], "no instance id"),
        (["--instance", "i-0123456789abcdef0", "--local-port", "http"], "must be a port"),
        (["--bogus"], "unknown argument"),
    ],
)
def test_bad_arguments_get_a_sentence_and_no_session(fake_aws, args, reason):
    result = tunnel(fake_aws, *args)
    assert result.returncode == 2 and reason in result.stderr
    assert not (fake_aws / "aws-args").exists()
