"""The service stack's files keep their promises: loopback only, health checks, no secrets."""

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from editorbot.redaction import TOKEN_SHAPES
from editorbot.ssm_env import ENV_NAMES, ROLES, SECRET_ENV_NAMES
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
    # Ours, not `prefect server start`: it retries refused writes (shells/prefect_server.py).
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[command[0]] == "shells.prefect_server:main"
    assert command[command.index("--host") + 1] == "0.0.0.0"


def test_the_server_image_runs_the_command_compose_runs(compose, dockerfile):
    server = re.split(r"^FROM\s+", dockerfile, flags=re.MULTILINE)[1:]
    (stage,) = [stage for stage in server if stage.split("\n")[0].endswith(" AS server")]
    (cmd,) = re.findall(r"^CMD\s+(\[.*\])$", stage, re.MULTILINE)
    assert json.loads(cmd) == compose["services"]["prefect-server"]["command"]


def test_roles_run_the_commands_the_cli_provides(compose):
    services = compose["services"]
    runner = services["runner"]["command"]
    assert runner[:2] == ["editorbot", "serve"]
    options = build_parser().parse_args(runner[1:])  # exits if the CLI lacks an option
    assert options.run_slots >= 1
    # The model stays loaded in a worker beside the runner; decisions have a lane of their own.
    assert options.transcribers >= 1 and options.resume_slots >= 1
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


def test_every_secret_terraform_creates_has_an_explicit_env_name_and_a_role():
    secrets_tf = (ROOT / "infra/modules/secrets/main.tf").read_text()
    block = secrets_tf[secrets_tf.index("parameters = {") :].split("}", 1)[0]
    created = re.findall(r'^\s+"([a-z]+)/([a-z_]+)"\s+=', block, re.MULTILINE)
    assert len(created) == 6
    assert {role for role, _ in created} == set(ROLES)
    names = {name for _, name in created}
    assert names <= set(ENV_NAMES), names - set(ENV_NAMES)


@pytest.fixture(scope="module")
def vm_compose() -> dict:
    return yaml.safe_load((ROOT / "compose.vm.yaml").read_text())


def test_on_the_vm_every_service_runs_its_image_by_digest_and_never_builds(vm_compose):
    assert set(vm_compose["services"]) == set(APP_SERVICES)
    for name, role in APP_SERVICES.items():
        service = vm_compose["services"][name]
        variable = f"EDITORBOT_{role.upper()}_IMAGE"
        assert service["image"].startswith(f"${{{variable}:?"), name
        assert service["pull_policy"] == "missing"
        assert "build" not in service
    # The deploy document writes those variables, each as <repository>@<digest>.
    deploy = (ROOT / "infra/modules/deploy_document/main.tf").read_text()
    for role in APP_SERVICES.values():
        assert f"EDITORBOT_{role.upper()}_IMAGE=%s" in deploy
        assert f'\\"$repo@{{{{ {role}Digest }}}}\\"' in deploy


def test_on_the_vm_each_service_holds_its_own_roles_credentials_only(vm_compose):
    for name, role in APP_SERVICES.items():
        service = vm_compose["services"][name]
        (mount,) = service["volumes"]
        assert mount == {
            "type": "bind",
            "source": f"/run/editorbot/aws/{role}",
            "target": "/run/editorbot/aws",
            "read_only": True,
            "bind": {"create_host_path": False},
        }, name
        env = service["environment"]
        # No container asks the metadata service: the instance role is not theirs.
        assert env["AWS_EC2_METADATA_DISABLED"] == "true"
        assert env["AWS_CONFIG_FILE"] == "/run/editorbot/aws/config"
        assert not SECRET_ENV_NAMES & set(env), name
    # What compose.vm.yaml interpolates, the VM's env file provides.
    user_data = (ROOT / "infra/modules/control_vm/templates/user_data.sh.tftpl").read_text()
    wanted = set(re.findall(r"\$\{([A-Z0-9_]+):\?", (ROOT / "compose.vm.yaml").read_text()))
    written = set(re.findall(r"^([A-Z0-9_]+)=", user_data, re.MULTILINE))
    images = {f"EDITORBOT_{role.upper()}_IMAGE" for role in APP_SERVICES.values()}
    assert wanted - images <= written, (wanted - images) - written


def test_each_image_target_names_its_role(dockerfile):
    stages = re.split(r"^FROM\s+", dockerfile, flags=re.MULTILINE)[1:]
    by_name = {stage.split()[2]: stage for stage in stages if " AS " in stage.split("\n")[0]}
    for role in ROLES:
        assert re.search(rf"^ENV EDITORBOT_ROLE={role}\b", by_name[role], re.MULTILINE), role


def test_the_laptop_stack_reads_no_vm_file(compose):
    for name, service in compose["services"].items():
        assert "/etc/editorbot" not in str(service.get("env_file", "")), name
