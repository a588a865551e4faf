"""A container's AWS credentials as the VM hands them over: minted by the host, read by boto3.

The host's timer (infra/modules/control_vm user data) runs `aws sts assume-role --query ...`
for each role and writes the result, with a config naming it as credential_process, into
the directory compose.vm.yaml mounts into that container alone. Here the same JMESPath query
turns a real AssumeRole answer (moto's STS over HTTP) into that file, and the container's
entry point, with no other credentials, reads its role's secrets through it.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import boto3
import jmespath
import pytest

from harness.fake_secrets import PREFECT_AUTH_STRING
from harness.ssm import FAKE_AWS, moto_ssm
from harness.stack import SCRIPTS

USER_DATA = (
    Path(__file__).resolve().parents[2] / "infra/modules/control_vm/templates/user_data.sh.tftpl"
).read_text()
MOUNT = "/run/editorbot/aws"  # where the container sees its directory


def minting_query() -> str:
    return re.search(r"--query '([^']+)'", USER_DATA)[1]


def config_text(region: str) -> str:
    """The config file the host writes beside the credentials (its printf, rendered)."""
    printf = re.search(r"printf '(\[default\][^']+)'", USER_DATA)[1]
    return printf.replace("\\n", "\n") % region


@pytest.fixture(scope="module")
def minted(tmp_path_factory):
    """(endpoint, directory): moto, and a role's credentials written as the host writes them."""
    with moto_ssm() as (endpoint, ssm):
        ssm.put_parameter(
            Name="/editorbot/creds/bot/prefect_api_auth_string",
            Value=PREFECT_AUTH_STRING,
            Type="SecureString",
            Overwrite=True,
        )
        host = {  # the instance role, as far as moto is concerned
            "endpoint_url": endpoint,
            "region_name": FAKE_AWS["AWS_REGION"],
            "aws_access_key_id": FAKE_AWS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": FAKE_AWS["AWS_SECRET_ACCESS_KEY"],
        }
        role = boto3.client("iam", **host).create_role(
            RoleName="editorbot-creds-bot", AssumeRolePolicyDocument="{}"
        )["Role"]["Arn"]
        answer = boto3.client("sts", **host).assume_role(
            RoleArn=role, RoleSessionName="editorbot-bot", DurationSeconds=3600
        )
        # The CLI prints timestamps in ISO 8601 before --query output reaches the file.
        answer["Credentials"]["Expiration"] = answer["Credentials"]["Expiration"].isoformat()
        directory = tmp_path_factory.mktemp("aws") / "bot"
        directory.mkdir(parents=True)
        (directory / "credentials.json").write_text(
            json.dumps(jmespath.search(minting_query(), answer))
        )
        config = config_text(FAKE_AWS["AWS_REGION"]).replace(MOUNT, str(directory))
        (directory / "config").write_text(config)
        yield endpoint, directory


def test_the_minted_file_is_what_credential_process_expects(minted):
    _, directory = minted
    process = json.loads((directory / "credentials.json").read_text())
    assert process["Version"] == 1
    assert set(process) == {
        "Version",
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    }
    assert all(isinstance(value, str) and value for k, value in process.items() if k != "Version")


def entrypoint(endpoint: str, config: Path | None, **overrides: str):
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "EDITORBOT_", "PREFECT_"))
        },
        # As compose.vm.yaml sets them: no key in the environment, no metadata service.
        "AWS_REGION": FAKE_AWS["AWS_REGION"],
        "AWS_DEFAULT_REGION": FAKE_AWS["AWS_REGION"],
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_ENDPOINT_URL_SSM": endpoint,
        "EDITORBOT_SSM_PREFIX": "/editorbot/creds/",
        "EDITORBOT_ROLE": "bot",
        "EDITORBOT_LOG_FORMAT": "text",
        "AWS_CONFIG_FILE": str(config) if config else os.devnull,
    }
    env.update(overrides)
    env = {k: v for k, v in env.items() if v}
    child = "import os; print('loaded' if os.environ.get('PREFECT_API_AUTH_STRING') else 'none')"
    return subprocess.run(
        [str(SCRIPTS / "editorbot-entrypoint"), sys.executable, "-c", child],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_container_reads_its_secrets_with_the_minted_credentials(minted):
    endpoint, directory = minted
    done = entrypoint(endpoint, directory / "config")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "loaded"


def test_without_them_the_container_stops_with_a_sentence(minted):
    endpoint, _ = minted
    done = entrypoint(endpoint, None)
    assert done.returncode == 78
    assert (
        "Cannot reach SSM to read /editorbot/creds/bot/: Unable to locate credentials"
        in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_a_container_without_a_region_stops_with_a_sentence(minted):
    endpoint, _ = minted
    env_without_region = {"AWS_REGION": "", "AWS_DEFAULT_REGION": ""}
    done = entrypoint(endpoint, None, **env_without_region)
    assert done.returncode == 78
    assert (
        "Cannot reach SSM to read /editorbot/creds/bot/: You must specify a region" in done.stderr
    )
    assert "Traceback" not in done.stderr
