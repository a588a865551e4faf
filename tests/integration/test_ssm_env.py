"""Secrets from SSM at start-up, against moto's SSM over HTTP with real boto3."""

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from editorbot.ssm_env import (
    ROLES,
    SecretsUnavailable,
    env_names,
    load_env,
    read_parameters,
    role_prefix,
)

# Obviously fake values, shaped like the real ones so the redaction patterns see them too.
from harness.fake_secrets import GEMINI_KEY_SHAPED as FAKE_GEMINI
from harness.fake_secrets import PREFECT_AUTH_STRING as FAKE_AUTH
from harness.fake_secrets import TELEGRAM_TOKEN_SHAPED as FAKE_TOKEN
from harness.ssm import FAKE_AWS, moto_ssm

# What each role's path holds in prod: Terraform's placeholders once set (infra/modules/
# secrets), plus the bot's allowed users put by hand (docs/runbook.md section 3).
ROLE_PARAMETERS = {
    "server": {"prefect_api_auth_string": FAKE_AUTH},
    "runner": {
        "prefect_api_auth_string": FAKE_AUTH,
        "telegram_bot_token": FAKE_TOKEN,
        "gemini_api_key": FAKE_GEMINI,
    },
    "bot": {
        "prefect_api_auth_string": FAKE_AUTH,
        "telegram_bot_token": FAKE_TOKEN,
        "allowed_users": "111111111,222222222",
    },
}


@pytest.fixture(scope="module")
def ssm():
    """One moto SSM server per module: prod's secrets, one path per role, and a look-alike."""
    with moto_ssm() as (endpoint, client):
        for role, parameters in ROLE_PARAMETERS.items():
            for name, value in parameters.items():
                client.put_parameter(
                    Name=f"/editorbot/prod/{role}/{name}",
                    Value=value,
                    Type="SecureString",
                    Overwrite=True,  # moto keeps one store per process
                )
        client.put_parameter(
            Name="/editorbot/prod-old/bot/telegram_bot_token",
            Value="stale-not-loaded",
            Type="String",
        )
        yield endpoint, client


def test_secure_strings_come_back_decrypted_under_their_env_names(ssm):
    _, client = ssm
    env = load_env("/editorbot/prod/runner/", client)
    assert env == {
        "EDITORBOT_TELEGRAM_TOKEN": FAKE_TOKEN,
        "EDITORBOT_GEMINI_API_KEY": FAKE_GEMINI,
        "PREFECT_API_AUTH_STRING": FAKE_AUTH,
        "PREFECT_SERVER_API_AUTH_STRING": FAKE_AUTH,
    }


def test_a_look_alike_prefix_is_not_loaded(ssm):
    _, client = ssm
    # Without the trailing slash too: the prefix is a hierarchy, not a string start.
    assert "stale-not-loaded" not in load_env("/editorbot/prod", client).values()
    assert read_parameters("editorbot/prod-old/bot", client) == {
        "telegram_bot_token": "stale-not-loaded"
    }


def test_a_role_reads_its_own_path_only():
    assert role_prefix("/editorbot/prod", "bot") == "/editorbot/prod/bot/"
    with pytest.raises(SecretsUnavailable, match=r"EDITORBOT_ROLE is 'admin'; it must be one of"):
        role_prefix("/editorbot/prod/", "admin")


def test_every_page_is_read_and_unknown_names_get_the_prefix(ssm):
    _, client = ssm
    for i in range(23):  # GetParametersByPath returns at most 10 per page
        client.put_parameter(Name=f"/editorbot/paged/extra-{i:02d}", Value=f"v{i}", Type="String")
    client.put_parameter(Name="/editorbot/paged/nested/db.password", Value="n", Type="SecureString")
    env = load_env("/editorbot/paged/", client)
    assert len(env) == 24
    assert env["EDITORBOT_EXTRA_22"] == "v22"
    assert env["EDITORBOT_NESTED_DB_PASSWORD"] == "n"


def test_a_missing_prefix_is_a_sentence(ssm):
    _, client = ssm
    with pytest.raises(SecretsUnavailable, match=r"No parameters under /editorbot/staging/ in SSM"):
        load_env("/editorbot/staging", client)


def test_a_refused_call_is_a_sentence_without_values():
    with moto_ssm() as (_, client):
        pass  # the server is gone: the call cannot connect
    with pytest.raises(SecretsUnavailable, match=r"Cannot reach SSM to read /editorbot/prod/"):
        read_parameters("/editorbot/prod/", client)


def _entrypoint() -> str:
    return str(Path(sysconfig.get_path("scripts")) / "editorbot-entrypoint")


def _run_entrypoint(
    endpoint: str,
    prefix: str,
    *command: str,
    log_format: str = "json",
    role: str | None = None,
    stale_token: bool = True,
):
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "EDITORBOT_", "PREFECT_"))
        },
        **FAKE_AWS,
        # boto3's per-service endpoint variable: the entry point itself knows nothing of tests.
        "AWS_ENDPOINT_URL_SSM": endpoint,
        "EDITORBOT_SSM_PREFIX": prefix,
        "EDITORBOT_LOG_FORMAT": log_format,
    }
    if stale_token:
        env["EDITORBOT_TELEGRAM_TOKEN"] = "stale-value-ssm-replaces"
    if role:
        env["EDITORBOT_ROLE"] = role  # as each image target sets it
    return subprocess.run(
        [_entrypoint(), *command], env=env, capture_output=True, text=True, timeout=60
    )


# The child proves it got the secrets by comparing, so its output stays value-free too.
_CHILD = (
    "import os, sys; "
    "expected = dict(a.split('=', 1) for a in sys.argv[1:]); "
    "ok = all(os.environ.get(k) == v for k, v in expected.items()); "
    "print('child sees secrets' if ok else 'child misses secrets')"
)


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_the_entrypoint_loads_then_execs_and_prints_names_only(ssm, log_format):
    endpoint, _ = ssm
    done = _run_entrypoint(
        endpoint,
        "/editorbot/prod/",
        sys.executable,
        "-c",
        _CHILD,
        f"EDITORBOT_TELEGRAM_TOKEN={FAKE_TOKEN}",
        f"PREFECT_API_AUTH_STRING={FAKE_AUTH}",
        f"EDITORBOT_GEMINI_API_KEY={FAKE_GEMINI}",
        log_format=log_format,
        role="runner",
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "child sees secrets" in done.stdout
    assert "EDITORBOT_TELEGRAM_TOKEN" in output and "/editorbot/prod/runner/" in output
    for value in (FAKE_TOKEN, FAKE_GEMINI, FAKE_AUTH, FAKE_AUTH.split(":")[1]):
        assert value not in output


# Every variable any role's secrets become; the child names those it holds, never a value.
_HELD = (
    "import json, os, sys; "
    "names = json.loads(sys.argv[1]); "
    "print(json.dumps(sorted(n for n in names if n in os.environ)))"
)
_ALL_SECRET_NAMES = sorted(
    {name for parameters in ROLE_PARAMETERS.values() for p in parameters for name in env_names(p)}
)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_handed_its_own_secrets_and_no_other(ssm, role):
    endpoint, _ = ssm
    done = _run_entrypoint(
        endpoint,
        "/editorbot/prod/",
        sys.executable,
        "-c",
        _HELD,
        json.dumps(_ALL_SECRET_NAMES),
        role=role,
        stale_token=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    held = json.loads(done.stdout.splitlines()[-1])
    own = sorted({name for p in ROLE_PARAMETERS[role] for name in env_names(p)})
    assert held == own
    # The point of it: the bot and the server never hold the LLM key, the server no token.
    if role != "runner":
        assert "EDITORBOT_GEMINI_API_KEY" not in held
    if role == "server":
        assert "EDITORBOT_TELEGRAM_TOKEN" not in held


def test_an_unknown_role_stops_the_entrypoint_with_a_sentence(ssm):
    endpoint, _ = ssm
    done = _run_entrypoint(endpoint, "/editorbot/prod/", "true", log_format="text", role="admin")
    assert done.returncode == 78
    assert "EDITORBOT_ROLE is 'admin'; it must be one of server, runner, bot" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_entrypoint_stops_with_a_sentence_when_the_prefix_is_empty(ssm):
    endpoint, _ = ssm
    done = _run_entrypoint(endpoint, "/editorbot/nothing-here/", "true", log_format="text")
    assert done.returncode == 78
    assert "No parameters under /editorbot/nothing-here/ in SSM" in done.stderr
    assert "Traceback" not in done.stderr


def test_without_a_prefix_the_entrypoint_only_execs(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDITORBOT_SSM")}
    done = subprocess.run(
        [_entrypoint(), sys.executable, "-c", "print('ran')"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, "ran\n")


def test_an_unknown_log_format_is_a_sentence():
    env = {**os.environ, "EDITORBOT_LOG_FORMAT": "yaml"}
    done = subprocess.run(
        [_entrypoint(), "true"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 78
    assert "log format must be json or text, not 'yaml'" in done.stderr
    assert "Traceback" not in done.stderr
