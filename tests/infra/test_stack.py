"""The service stack's files keep their promises: loopback only, health checks, no secrets."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from editorbot.logs import TOKEN_SHAPES
from editorbot.ssm_env import ENV_NAMES, SECRET_ENV_NAMES
from shells.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = {"prefect-server": "server", "runner": "runner", "bot": "bot"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def dockerfile() -> str:
    # Continuation lines joined, so each instruction is one line.
    return (ROOT / "Dockerfile").read_text().replace("\\\n", " ")


def test_only_the_prefect_server_publishes_a_port_and_only_on_loopback(compose):
    published = {name: s.get("ports", []) for name, s in compose["services"].items()}
    assert published.pop("prefect-server") == ["127.0.0.1:4200:4200"]
    assert not any(published.values())


def test_the_server_listens_on_every_interface_inside_its_container(compose):
    command = compose["services"]["prefect-server"]["command"]
    assert command[:3] == ["prefect", "server", "start"]
    assert command[command.index("--host") + 1] == "0.0.0.0"


def test_roles_run_the_commands_the_cli_provides(compose):
    services = compose["services"]
    runner = services["runner"]["command"]
    assert runner[:2] == ["editorbot", "serve"]
    options = build_parser().parse_args(runner[1:])  # exits if the CLI lacks an option
    assert options.run_slots >= 1
    assert services["bot"]["command"] == ["editorbot", "bot"]
    for name, target in APP_SERVICES.items():
        assert services[name]["build"]["target"] == target


def test_every_service_restarts_checks_its_health_and_logs_alike(compose):
    for name, service in compose["services"].items():
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"][0] == "CMD", name
        assert service["logging"]["driver"] == "${EDITORBOT_LOG_DRIVER:-}", name
    assert compose["services"]["prefect-server"]["healthcheck"]["test"][-1].endswith("/api/health")


def test_postgres_is_optional(compose):
    assert compose["services"]["postgres"]["profiles"] == ["postgres"]
    dependency = compose["services"]["prefect-server"]["depends_on"]["postgres"]
    assert dependency == {"condition": "service_healthy", "required": False}


def test_no_secret_is_set_in_compose(compose):
    for name, service in compose["services"].items():
        assert not SECRET_ENV_NAMES & set(service.get("environment", {})), name


def test_every_variable_compose_reads_is_documented_in_env_example():
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", (ROOT / "compose.yaml").read_text()))
    documented = set(
        re.findall(r"^#? ?([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )
    assert used <= documented, used - documented


def test_env_example_holds_placeholders_only_and_env_is_ignored():
    example = (ROOT / ".env.example").read_text()
    assert not TOKEN_SHAPES.search(example)
    assert "replace-me" in example
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0, ".env must be git-ignored"
    assert (ROOT / ".dockerignore").read_text().splitlines()[2:4] == ["*", "!pyproject.toml"]


def test_the_image_has_no_secret_in_arg_or_env(dockerfile):
    assert not re.search(r"^\s*ARG\b", dockerfile, re.MULTILINE)
    env_names = re.findall(r"^ENV\s+(.*)$", dockerfile, re.MULTILINE)
    names = {part.split("=", 1)[0] for line in env_names for part in line.split()}
    assert not {n for n in names if re.search(r"TOKEN|KEY|PASSWORD|SECRET|AUTH", n)}


def test_the_image_runs_unprivileged_and_each_role_has_a_health_check(dockerfile):
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1].split(":")[0].isdigit() and users[-1].split(":")[0] != "0"
    stages = re.split(r"^FROM\s+", dockerfile, flags=re.MULTILINE)[1:]
    by_name = {stage.split()[2]: stage for stage in stages if " AS " in stage.split("\n")[0]}
    for target in APP_SERVICES.values():
        assert "HEALTHCHECK" in by_name[target] and "\nCMD [" in by_name[target], target
    for stage in stages:
        image = stage.split()[0]
        assert image in by_name or (":" in image and not image.endswith(":latest")), image


def test_every_secret_terraform_creates_has_an_explicit_env_name():
    secrets_tf = (ROOT / "infra/modules/secrets/main.tf").read_text()
    block = secrets_tf[secrets_tf.index("parameters = {") :].split("}", 1)[0]
    created = set(re.findall(r"^\s+([a-z_]+)\s+=", block, re.MULTILINE))
    assert created and created <= set(ENV_NAMES), created - set(ENV_NAMES)
