"""Static guarantees of the Terraform in infra/, read with python-hcl2 (no providers, no cloud).

Each rule is a plain function returning violations, so the same function is run
against the real tree (must find none) and against small broken HCL fixtures
(must find some): a checker that cannot fail proves nothing.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
INFRA = REPO_ROOT / "infra"
MODULES = INFRA / "modules"
PROD = INFRA / "envs" / "prod"
MODULE_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md")
OPEN_CIDRS = {"0.0.0.0/0", "::/0"}

hcl2 = pytest.importorskip("hcl2", reason="python-hcl2 is needed for the infra tests")


def _python_hcl2_major() -> int | None:
    try:
        return int(importlib.metadata.version("python-hcl2").split(".")[0])
    except importlib.metadata.PackageNotFoundError:
        return None


# checkov ships a fork (bc-python-hcl2) that installs the same `hcl2` package
# with another output format; in an environment holding both the tests would
# read garbage, so they refuse to run there. EDITORBOT_REQUIRE_INFRA_TESTS=1
# (set in CI's infra job) turns that skip into a failure.
if (_python_hcl2_major() or 0) < 8 or "bc-python-hcl2" in {
    d.metadata["Name"] for d in importlib.metadata.distributions()
}:
    reason = "needs python-hcl2>=8 without checkov's bc-python-hcl2 in the same environment"
    if os.environ.get("EDITORBOT_REQUIRE_INFRA_TESTS") == "1":
        raise RuntimeError(reason)
    pytest.skip(reason, allow_module_level=True)

_OPTIONS = hcl2.SerializationOptions(
    with_comments=False, explicit_blocks=False, strip_string_quotes=True
)

Doc = dict[str, Any]


# --------------------------------------------------------------------------
# Parsing helpers
# --------------------------------------------------------------------------


def parse(text: str) -> Doc:
    """Parse HCL text into python-hcl2's dict form."""
    return hcl2.loads(text, serialization_options=_OPTIONS)


@functools.cache
def parsed_tree() -> dict[Path, Doc]:
    """Every .tf file under infra/, parsed once."""
    files = sorted(p for p in INFRA.rglob("*.tf") if ".terraform" not in p.parts)
    assert files, f"no .tf files under {INFRA}"
    return {path: parse(path.read_text()) for path in files}


def tree_doc() -> Doc:
    """All files merged into one document (lists of top-level blocks concatenated)."""
    merged: Doc = {}
    for doc in parsed_tree().values():
        for key, value in doc.items():
            merged.setdefault(key, []).extend(value if isinstance(value, list) else [value])
    return merged


def labelled(doc: Doc, kind: str) -> Iterator[tuple[str, str, dict]]:
    """Yield (type, name, body) for `resource`/`data` blocks."""
    for entry in doc.get(kind, []):
        for type_, by_name in entry.items():
            for name, body in by_name.items():
                yield type_, name, body


def named(doc: Doc, kind: str) -> Iterator[tuple[str, dict]]:
    """Yield (name, body) for single-label blocks such as variable and output."""
    for entry in doc.get(kind, []):
        yield from entry.items()


def blocks(body: dict, key: str) -> list[dict]:
    """Nested blocks of one kind (python-hcl2 gives a list of dicts, or a dict)."""
    value = body.get(key, [])
    return value if isinstance(value, list) else [value]


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def covers_port(rule: dict, port: int) -> bool:
    """True when a rule's port range (or all-protocol rule) includes `port`."""
    protocol = str(rule.get("ip_protocol", rule.get("protocol", "tcp")))
    if protocol in {"-1", "all"}:
        return True
    low, high = rule.get("from_port"), rule.get("to_port", rule.get("from_port"))
    if isinstance(low, int) and isinstance(high, int):
        return low <= port <= high
    return False


# --------------------------------------------------------------------------
# Rules (each returns a list of human-readable violations)
# --------------------------------------------------------------------------


def ingress_violations(doc: Doc) -> list[str]:
    """No inline/legacy ingress; the only ingress is the validated allowlist, never /0."""
    found = []
    for type_, name, body in labelled(doc, "resource"):
        where = f"{type_}.{name}"
        if type_ in {"aws_security_group", "aws_default_security_group"} and blocks(
            body, "ingress"
        ):
            found.append(f"{where}: inline ingress block")
        if type_ == "aws_security_group_rule" and body.get("type") == "ingress":
            found.append(f"{where}: ingress rule")
        if type_ == "aws_vpc_security_group_ingress_rule":
            cidrs = {str(body.get("cidr_ipv4", "")), str(body.get("cidr_ipv6", ""))}
            if cidrs & OPEN_CIDRS:
                found.append(f"{where}: ingress from the whole internet")
            if not any(c == "${each.value}" for c in cidrs):
                found.append(f"{where}: ingress not driven by the validated allowlist")
            if "prefix_list_id" in body or "referenced_security_group_id" in body:
                found.append(f"{where}: ingress from a prefix list or security group")
        for rule in blocks(body, "ingress"):
            if OPEN_CIDRS & set(
                as_list(rule.get("cidr_blocks", [])) + as_list(rule.get("ipv6_cidr_blocks", []))
            ):
                found.append(f"{where}: ingress from the whole internet")
    return found


def ssh_violations(doc: Doc) -> list[str]:
    """Nothing may open port 22, in either direction."""
    found = []
    for type_, name, body in labelled(doc, "resource"):
        rules = []
        if type_ in {"aws_security_group", "aws_default_security_group"}:
            rules = blocks(body, "ingress") + blocks(body, "egress")
        elif type_ in {
            "aws_security_group_rule",
            "aws_vpc_security_group_ingress_rule",
            "aws_vpc_security_group_egress_rule",
        }:
            rules = [body]
        for rule in rules:
            is_ingress = (
                type_ != "aws_vpc_security_group_egress_rule" and rule.get("type") != "egress"
            )
            if covers_port(rule, 22) and (is_ingress or rule.get("from_port") == 22):
                found.append(f"{type_}.{name}: opens port 22")
    return found


def instance_violations(doc: Doc) -> list[str]:
    """Every EC2 instance: IMDSv2 required, encrypted root volume, no key pair."""
    found = []
    for type_, name, body in labelled(doc, "resource"):
        if type_ not in {"aws_instance", "aws_launch_template"}:
            continue
        where = f"{type_}.{name}"
        metadata = blocks(body, "metadata_options")
        if not metadata or metadata[0].get("http_tokens") != "required":
            found.append(f"{where}: IMDSv2 not required")
        root = blocks(body, "root_block_device")
        if type_ == "aws_instance" and (not root or root[0].get("encrypted") is not True):
            found.append(f"{where}: root volume not encrypted")
        if "key_name" in body:
            found.append(f"{where}: has key_name")
    return found


def _references(body: dict, type_: str, name: str) -> bool:
    return bool(
        re.search(rf"\b{re.escape(type_)}\.{re.escape(name)}\.", str(body.get("bucket", "")))
    )


def _policy_documents(doc: Doc) -> dict[str, dict]:
    return {name: body for t, name, body in labelled(doc, "data") if t == "aws_iam_policy_document"}


def _denies_insecure_transport(policy_doc: dict) -> bool:
    for statement in blocks(policy_doc, "statement"):
        if statement.get("effect") != "Deny":
            continue
        for condition in blocks(statement, "condition"):
            if (
                condition.get("variable") == "aws:SecureTransport"
                and condition.get("test") == "Bool"
                and [str(v).lower() for v in as_list(condition.get("values"))] == ["false"]
            ):
                return True
    return False


def bucket_violations(doc: Doc) -> list[str]:
    """Every bucket: public access block all four true, versioning, encryption, TLS-only policy."""
    found = []
    resources = list(labelled(doc, "resource"))
    documents = _policy_documents(doc)
    for type_, name, _ in resources:
        if type_ != "aws_s3_bucket":
            continue
        where = f"aws_s3_bucket.{name}"

        def companions(kind: str, bucket: str = name) -> list[dict]:
            return [
                b for t, _, b in resources if t == kind and _references(b, "aws_s3_bucket", bucket)
            ]

        pab = companions("aws_s3_bucket_public_access_block")
        flags = (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        )
        if not pab or not all(pab[0].get(flag) is True for flag in flags):
            found.append(f"{where}: public access block missing or not all four true")

        versioning = companions("aws_s3_bucket_versioning")
        statuses = [
            v.get("status") for b in versioning for v in blocks(b, "versioning_configuration")
        ]
        if statuses != ["Enabled"]:
            found.append(f"{where}: versioning not enabled")

        algorithms = [
            d.get("sse_algorithm")
            for b in companions("aws_s3_bucket_server_side_encryption_configuration")
            for rule in blocks(b, "rule")
            for d in blocks(rule, "apply_server_side_encryption_by_default")
        ]
        if not algorithms or not all(
            a in {"aws:kms", "aws:kms:dsse", "AES256"} for a in algorithms
        ):
            found.append(f"{where}: default encryption missing")

        tls_only = False
        for policy in companions("aws_s3_bucket_policy"):
            match = re.fullmatch(
                r"\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}",
                str(policy.get("policy", "")),
            )
            if (
                match
                and match.group(1) in documents
                and _denies_insecure_transport(documents[match.group(1)])
            ):
                tls_only = True
        if not tls_only:
            found.append(f"{where}: no policy denying aws:SecureTransport = false")
    return found


def wildcard_iam_violations(doc: Doc) -> list[str]:
    """No Allow statement grants Action "*" on Resource "*"."""
    found = []
    for name, policy in _policy_documents(doc).items():
        for statement in blocks(policy, "statement"):
            if statement.get("effect", "Allow") != "Allow":
                continue
            if "*" in as_list(statement.get("actions", [])) and "*" in as_list(
                statement.get("resources", [])
            ):
                found.append(f"data.aws_iam_policy_document.{name}: Action * on Resource *")
    for type_, name, body in labelled(doc, "resource"):
        text = str(body.get("policy", "")) + str(body.get("assume_role_policy", ""))
        if re.search(r'"?Action"?\s*[:=]\s*"\*"', text) and re.search(
            r'"?Resource"?\s*[:=]\s*"\*"', text
        ):
            found.append(f"{type_}.{name}: inline policy with Action * on Resource *")
    return found


def variable_violations(doc: Doc) -> list[str]:
    """Every variable has a description and a type."""
    return [
        f"variable {name}: missing {field}"
        for name, body in named(doc, "variable")
        for field in ("description", "type")
        if not body.get(field)
    ]


def output_violations(doc: Doc) -> list[str]:
    """Every output has a description."""
    return [
        f"output {name}: missing description"
        for name, body in named(doc, "output")
        if not body.get("description")
    ]


def module_layout_violations(modules_dir: Path) -> list[str]:
    """Each module has main/variables/outputs/versions.tf and a README."""
    found = []
    for module in sorted(p for p in modules_dir.iterdir() if p.is_dir()):
        found += [f"{module.name}: missing {f}" for f in MODULE_FILES if not (module / f).is_file()]
    return found


# --------------------------------------------------------------------------
# The real tree must satisfy every rule
# --------------------------------------------------------------------------

RULES = [
    ingress_violations,
    ssh_violations,
    instance_violations,
    bucket_violations,
    wildcard_iam_violations,
    variable_violations,
    output_violations,
]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_tree_satisfies(rule) -> None:
    """Each rule, file by file (buckets and their companions live in one file)."""
    violations = [
        f"{path.relative_to(REPO_ROOT)}: {v}"
        for path, doc in parsed_tree().items()
        for v in rule(doc)
    ]
    assert violations == []


def test_rules_see_what_they_check() -> None:
    """Guard against a vacuous pass: the tree really has the things the rules look at."""
    doc = tree_doc()
    types = {t for t, _, _ in labelled(doc, "resource")}
    assert {
        "aws_instance",
        "aws_s3_bucket",
        "aws_security_group",
        "aws_vpc_security_group_egress_rule",
    } <= types
    buckets = [n for t, n, _ in labelled(doc, "resource") if t == "aws_s3_bucket"]
    assert len(buckets) == 2  # content bucket and state bucket
    assert len(list(named(doc, "variable"))) > 30
    assert len(list(named(doc, "output"))) > 20


def test_every_module_has_the_four_files_and_readme() -> None:
    assert module_layout_violations(MODULES) == []
    assert len([p for p in MODULES.iterdir() if p.is_dir()]) >= 8


def test_prod_has_no_inbound_rules() -> None:
    """The allowlist exists for later; prod passes none, so its security group admits nothing."""
    prod = parse((PROD / "main.tf").read_text())
    network = [body for name, body in named(prod, "module") if name == "network"]
    assert network, "envs/prod must use the network module"
    assert not {"ingress_allowlist_ipv4", "ingress_allowlist_ipv6"} & set(network[0])


def test_allowlist_variables_are_validated_against_open_cidrs() -> None:
    variables = dict(named(parse((MODULES / "network" / "variables.tf").read_text()), "variable"))
    for name in ("ingress_allowlist_ipv4", "ingress_allowlist_ipv6"):
        validation = blocks(variables[name], "validation")
        assert validation, f"{name} has no validation"
        assert 'split("/", cidr)[1]' in validation[0]["condition"], (
            f"{name} does not check the prefix length"
        )
        assert variables[name].get("default") == []


def iam_doc() -> Doc:
    return parse((MODULES / "iam" / "main.tf").read_text())


def iam_locals() -> dict:
    return {k: v for entry in iam_doc()["locals"] for k, v in entry.items()}


def statements(policy: dict) -> dict[str, dict]:
    return {s["sid"]: s for s in blocks(policy, "statement")}


def test_the_bucket_is_scoped_to_its_prefixes_for_runner_and_bot_only() -> None:
    content = statements(_policy_documents(iam_doc())["content"])
    assert content["ListOnlyAppPrefixes"]["condition"][0]["variable"] == "s3:prefix"
    assert content["ReadWriteAppPrefixes"]["resources"] == "${local.object_arns}"
    assert "s3:DeleteObject" not in content["ReadWriteAppPrefixes"]["actions"]
    assert content["UseBucketKeyThroughS3"]["condition"][0]["variable"] == "kms:ViaService"
    (attachment,) = [
        b
        for t, n, b in labelled(iam_doc(), "resource")
        if (t, n) == ("aws_iam_role_policy", "container_content")
    ]
    assert attachment["policy"] == "${data.aws_iam_policy_document.content.json}"
    assert attachment["for_each"] == "${local.content_roles}"
    assert iam_locals()["content_roles"] == '${toset(["runner", "bot"])}'
    # Nothing else may touch the bucket: not the host, not the server.
    instance = _policy_documents(iam_doc())["instance"]
    assert not [
        a for s in blocks(instance, "statement") for a in s["actions"] if a.startswith("s3:")
    ]


def test_each_container_role_reads_only_its_own_secrets() -> None:
    from editorbot.ssm_env import ROLES

    roles = ", ".join(f'"{role}"' for role in ROLES)
    assert iam_locals()["container_roles"] == f"${{toset([{roles}])}}"
    secrets = statements(_policy_documents(iam_doc())["container_secrets"])
    assert secrets["ReadOwnSecrets"]["resources"] == [
        "${local.ssm_path_arn}/${each.key}",
        "${local.ssm_path_arn}/${each.key}/*",
    ]
    conditions = {c["variable"]: c for c in secrets["DecryptOwnSecretsThroughSsm"]["condition"]}
    assert conditions["kms:ViaService"]["values"] == ["ssm.${local.region}.amazonaws.com"]
    assert conditions["kms:EncryptionContext:PARAMETER_ARN"]["values"] == [
        "${local.ssm_path_arn}/${each.key}/*"
    ]
    assert "parameter/editorbot/${var.environment}" in iam_locals()["ssm_path_arn"]
    # Only the host can assume a container role.
    trust = _policy_documents(iam_doc())["container_trust"]
    (principal,) = blocks(blocks(trust, "statement")[0], "principals")
    assert principal == {"type": "AWS", "identifiers": ["${aws_iam_role.instance.arn}"]}


def test_the_host_has_the_ssm_agents_calls_instead_of_the_managed_policy() -> None:
    tree = "\n".join(path.read_text() for path in INFRA.rglob("*.tf"))
    assert "AmazonSSMManagedInstanceCore" not in tree.replace(
        "Instead of AmazonSSMManagedInstanceCore", ""
    )
    assert not [
        t for t, _, _ in labelled(tree_doc(), "resource") if t == "aws_iam_role_policy_attachment"
    ]
    instance = statements(_policy_documents(iam_doc())["instance"])
    agent = {
        a
        for sid in ("SsmAgentRegistersItsInstance", "SessionManagerChannels", "RunCommandMessages")
        for a in instance[sid]["actions"]
    }
    assert agent == {
        "ssm:UpdateInstanceInformation",
        "ssm:ListInstanceAssociations",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
        "ec2messages:AcknowledgeMessage",
        "ec2messages:DeleteMessage",
        "ec2messages:FailMessage",
        "ec2messages:GetEndpoint",
        "ec2messages:GetMessages",
        "ec2messages:SendReply",
    }
    for sid in ("SsmAgentRegistersItsInstance", "SessionManagerChannels", "RunCommandMessages"):
        (condition,) = instance[sid]["condition"]
        assert (condition["test"], condition["variable"]) == ("ArnLike", "ec2:SourceInstanceARN")
    actions = {a for statement in instance.values() for a in statement["actions"]}
    # The host reads no secret: the managed policy's GetParameter(s) on every parameter is gone.
    assert not {a for a in actions if a.startswith(("ssm:GetParameter", "kms:", "s3:"))}


def test_the_vm_pulls_images_and_ci_pushes_them_to_one_repository() -> None:
    docs = _policy_documents(iam_doc())
    instance, push = statements(docs["instance"]), statements(docs["image_push"])
    assert instance["PullOwnImages"]["actions"] == [
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
    ]
    assert instance["PullOwnImages"]["resources"] == ["${var.image_repository_arn}"]
    assert instance["RegistryLogin"]["actions"] == ["ecr:GetAuthorizationToken"]
    ecr_actions = {a for s in instance.values() for a in s["actions"] if a.startswith("ecr:")}
    assert ecr_actions == {
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:GetAuthorizationToken",
    }
    assert push["PushToOwnRepository"]["resources"] == ["${var.image_repository_arn}"]
    assert {"ecr:PutImage", "ecr:InitiateLayerUpload"} <= set(
        push["PushToOwnRepository"]["actions"]
    )
    # Pushing is not deploying: the push role runs no command, the deploy role pushes nothing.
    deploy = statements(docs["deploy"])
    assert not [a for s in push.values() for a in s["actions"] if a.startswith("ssm:")]
    deploy_ecr = {a for s in deploy.values() for a in s["actions"] if a.startswith("ecr:")}
    assert deploy_ecr == {"ecr:DescribeImages"}


def test_the_repository_is_immutable_scanned_and_pruned() -> None:
    text = (MODULES / "registry" / "main.tf").read_text()
    doc = parse(text)
    (repo,) = [b for t, _, b in labelled(doc, "resource") if t == "aws_ecr_repository"]
    assert repo["image_tag_mutability"] == "IMMUTABLE"
    assert blocks(repo, "image_scanning_configuration")[0]["scan_on_push"] is True
    assert blocks(repo, "encryption_configuration")[0]["encryption_type"] == "KMS"
    (policy,) = [b for t, _, b in labelled(doc, "resource") if t == "aws_ecr_lifecycle_policy"]
    assert policy["policy"] == "${jsonencode({rules = local.lifecycle_rules})}"
    registry_locals = {k: v for entry in doc["locals"] for k, v in entry.items()}
    from editorbot.ssm_env import ROLES

    assert registry_locals["roles"] == list(ROLES)
    rules = str(registry_locals["lifecycle_rules"])
    for expected in ('tagPrefixList = ["${role}-"]', "imageCountMoreThan", "untagged", "expire"):
        assert expected in rules, expected
    variables = dict(named(parse((MODULES / "registry" / "variables.tf").read_text()), "variable"))
    assert variables["images_to_keep"]["default"] == 10


def _subjects(trust: dict) -> dict[str, dict]:
    return {c["variable"]: c for s in blocks(trust, "statement") for c in blocks(s, "condition")}


def test_github_roles_trust_main_for_pushes_and_the_environment_for_deploys() -> None:
    docs = _policy_documents(iam_doc())
    push, deploy = _subjects(docs["image_push_trust"]), _subjects(docs["deploy_trust"])
    for conditions in (push, deploy):
        aud = conditions["${local.github_oidc_host}:aud"]
        assert aud["test"] == "StringEquals" and aud["values"] == ["sts.amazonaws.com"]
        assert conditions["${local.github_oidc_host}:sub"]["test"] == "StringEquals"
    assert push["${local.github_oidc_host}:sub"]["values"] == [
        "repo:${var.github_repository}:ref:refs/heads/${var.github_deploy_branch}"
    ]
    assert deploy["${local.github_oidc_host}:sub"]["values"] == [
        "repo:${var.github_repository}:environment:${var.github_deploy_environment}"
    ]
    actions = sorted({a for s in blocks(docs["deploy"], "statement") for a in s["actions"]})
    assert actions == [
        "ecr:DescribeImages",
        "ssm:GetCommandInvocation",
        "ssm:ListCommandInvocations",
        "ssm:SendCommand",
    ]
    variables = dict(named(parse((MODULES / "iam" / "variables.tf").read_text()), "variable"))
    assert variables["github_deploy_environment"]["default"] == "production"


def test_secrets_are_placeholders_outside_state() -> None:
    doc = parse((MODULES / "secrets" / "main.tf").read_text())
    (param,) = [b for t, _, b in labelled(doc, "resource") if t == "aws_ssm_parameter"]
    assert param["type"] == "SecureString"
    assert "value" not in param, "use value_wo so nothing lands in state"
    assert "placeholder" in param["value_wo"]
    assert blocks(param, "lifecycle")[0]["ignore_changes"] == ["value"]
    locals_ = doc["locals"][0]
    assert set(locals_["parameters"]) == {
        "server/prefect_api_auth_string",
        "runner/prefect_api_auth_string",
        "runner/telegram_bot_token",
        "runner/gemini_api_key",
        "bot/prefect_api_auth_string",
        "bot/telegram_bot_token",
    }


def test_user_data_installs_docker_and_runs_compose_under_systemd() -> None:
    user_data = (MODULES / "control_vm" / "templates" / "user_data.sh.tftpl").read_text()
    assert "docker-compose-plugin" in user_data
    assert "/etc/systemd/system/editorbot.service" in user_data
    assert "ExecStart=/usr/bin/docker compose up --no-build" in user_data
    assert "systemctl enable editorbot.service" in user_data
    assert "amazon-ssm-agent" in user_data
    # The VM never builds: no build step, no buildx, images from the release file.
    assert "compose build" not in user_data and "docker-buildx-plugin" not in user_data
    assert "EnvironmentFile=/etc/editorbot/release.env" in user_data
    assert "COMPOSE_FILE=compose.yaml:compose.vm.yaml" in user_data
    assert '"credHelpers": { "${registry}": "ecr-login" }' in user_data
    variables = dict(
        named(parse((MODULES / "control_vm" / "variables.tf").read_text()), "variable")
    )
    assert variables["app_dir"]["default"] == "/opt/editorbot"
    assert variables["instance_type"]["default"] == "t3.medium"


def test_no_container_reaches_the_instance_role() -> None:
    """Metadata hop limit 1; each container gets its own role's credentials from the host."""
    doc = parse((MODULES / "control_vm" / "main.tf").read_text())
    (vm,) = [b for t, _, b in labelled(doc, "resource") if t == "aws_instance"]
    (metadata,) = blocks(vm, "metadata_options")
    assert metadata["http_put_response_hop_limit"] == 1
    assert metadata["http_tokens"] == "required"
    user_data = (MODULES / "control_vm" / "templates" / "user_data.sh.tftpl").read_text()
    script = user_data[user_data.index("editorbot-credentials <<'SCRIPT'") :].split("\nSCRIPT\n")[0]
    for line in (
        'install -d -m 0500 -o 10001 -g 10001 "$dir"',
        'chmod 0400 "$dir/credentials.json.new" "$dir/config.new"',
        "credential_process = cat /run/editorbot/aws/credentials.json",
        "--duration-seconds 3600",
        "%{ for role, arn in container_role_arns ~}",
    ):
        assert line in script, line
    assert "OnUnitActiveSec=15min" in user_data


def test_user_data_renders_to_a_script_shellcheck_accepts(tmp_path: Path) -> None:
    """Rendered as templatefile would, with the prod names; then shellcheck reads it."""
    shellcheck = shutil.which("shellcheck") or str(REPO_ROOT / ".venv-infra" / "bin" / "shellcheck")
    if not Path(shellcheck).exists():
        pytest.skip("shellcheck is in .venv-infra (make infra-check installs it)")
    text = (MODULES / "control_vm" / "templates" / "user_data.sh.tftpl").read_text()
    roles = "".join(
        f"mint {role} arn:aws:iam::000000000000:role/editorbot-prod-{role}\n"
        for role in ("server", "runner", "bot")
    )
    text = re.sub(
        r"%\{ for role, arn in container_role_arns ~\}\n.*?%\{ endfor ~\}\n",
        roles,
        text,
        flags=re.S,
    )
    values = {
        "app_dir": "/opt/editorbot",
        "repository_url": "https://github.com/example-org/editorbot.git",
        "initial_ref": "main",
        "environment": "prod",
        "region": "eu-west-1",
        "bucket_name": "editorbot-prod-content-000000000000",
        "ssm_path_prefix": "/editorbot/prod",
        "app_log_group": "/editorbot/prod/app",
        "system_log_group": "/editorbot/prod/system",
        "image_repository_url": "000000000000.dkr.ecr.eu-west-1.amazonaws.com/editorbot-prod",
        "registry": "000000000000.dkr.ecr.eu-west-1.amazonaws.com",
    }
    rendered = re.sub(r"(?<!\$)\$\{(\w+)\}", lambda m: values[m.group(1)], text).replace(
        "$${", "${"
    )
    assert "%{" not in rendered and "container_role_arns" not in rendered
    script = tmp_path / "user_data.sh"
    script.write_text(rendered)
    checked = subprocess.run([shellcheck, str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    # The credential script inside the heredoc is a script of its own: check it too.
    opening = "<<'SCRIPT'\n"
    inner = rendered[rendered.index(opening) + len(opening) : rendered.index("\nSCRIPT\n")]
    (tmp_path / "credentials.sh").write_text(inner + "\n")
    checked = subprocess.run(
        [shellcheck, str(tmp_path / "credentials.sh")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout
    assert inner.count("\nmint ") == 3


def test_control_vm_uses_canonical_ubuntu_2204() -> None:
    doc = parse((MODULES / "control_vm" / "main.tf").read_text())
    (ami,) = [b for t, _, b in labelled(doc, "data") if t == "aws_ami"]
    assert ami["owners"] == ["099720109477"]
    names = [f["values"] for f in blocks(ami, "filter") if f["name"] == "name"]
    assert names == [["ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"]]


def test_the_deploy_document_pulls_by_digest_and_never_builds() -> None:
    text = (MODULES / "deploy_document" / "main.tf").read_text()
    doc = parse(text)
    (document,) = [b for t, _, b in labelled(doc, "resource") if t == "aws_ssm_document"]
    assert document["document_type"] == "Command"
    deploy_locals = {k: v for entry in doc["locals"] for k, v in entry.items()}
    commands = deploy_locals["commands"]
    for role in ("server", "runner", "bot"):
        assert f'docker pull --quiet "$repo@{{{{ {role}Digest }}}}"' in commands
    assert "repo='${var.image_repository_url}'" in commands
    assert not [c for c in commands if "build" in c]
    assert "systemctl restart ${var.service_name}" in commands
    parameters = deploy_locals["content"]["parameters"]
    assert parameters["commit"]["allowedPattern"] == "^[0-9a-f]{40}$"
    assert deploy_locals["digest"] == "^sha256:[0-9a-f]{64}$"
    for role in ("server", "runner", "bot"):
        assert parameters[f"{role}Digest"]["allowedPattern"] == "${local.digest}"
    # Pulls happen before anything changes; pruning keeps the last releases.
    order = [
        next(i for i, c in enumerate(commands) if key in c)
        for key in (
            "docker pull",
            "git checkout",
            "release.env.new",
            "systemctl restart",
            "docker image rm",
        )
    ]
    assert order == sorted(order)
    assert "tail -n ${var.releases_kept_on_vm} /var/lib/editorbot/releases" in " ".join(commands)


def test_the_deploy_script_is_posix_shell_shellcheck_accepts(tmp_path: Path) -> None:
    """SSM runs the commands with /bin/sh (dash): rendered with a release, shellcheck -s sh."""
    shellcheck = shutil.which("shellcheck") or str(REPO_ROOT / ".venv-infra" / "bin" / "shellcheck")
    if not Path(shellcheck).exists():
        pytest.skip("shellcheck is in .venv-infra (make infra-check installs it)")
    doc = parse((MODULES / "deploy_document" / "main.tf").read_text())
    commands = "\n".join({k: v for e in doc["locals"] for k, v in e.items()}["commands"])
    variables = dict(
        named(parse((MODULES / "deploy_document" / "variables.tf").read_text()), "variable")
    )
    values = {name: str(body.get("default", "")) for name, body in variables.items()}
    values["image_repository_url"] = "000000000000.dkr.ecr.eu-west-1.amazonaws.com/editorbot-prod"
    values["health_wait_seconds / 5"] = str(int(values["health_wait_seconds"]) // 5)
    script = re.sub(r"\$\{var\.([\w /]+?)\}", lambda m: values[m.group(1)], commands)
    script = script.replace("{{ commit }}", "0" * 40)
    for role in ("server", "runner", "bot"):
        script = script.replace(f"{{{{ {role}Digest }}}}", "sha256:" + "1" * 64)
    assert "${" not in script and "{{" not in script
    path = tmp_path / "deploy.sh"
    path.write_text("#!/bin/sh\n" + script + "\n")
    # SC1091: the env files it sources exist on the VM only.
    checked = subprocess.run(
        [shellcheck, "--shell=sh", "--exclude=SC1091", str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout


def test_alarms_and_budget_have_their_targets() -> None:
    doc = parse((MODULES / "observability" / "main.tf").read_text())
    alarms = {n: b for t, n, b in labelled(doc, "resource") if t == "aws_cloudwatch_metric_alarm"}
    assert set(alarms) == {"cpu", "disk", "status_check", "flow_run_failed"}
    assert (alarms["cpu"]["namespace"], alarms["cpu"]["metric_name"]) == (
        "AWS/EC2",
        "CPUUtilization",
    )
    assert (alarms["disk"]["namespace"], alarms["disk"]["metric_name"]) == (
        "CWAgent",
        "disk_used_percent",
    )
    assert alarms["status_check"]["metric_name"] == "StatusCheckFailed_System"
    assert any(":ec2:recover" in a for a in alarms["status_check"]["alarm_actions"])
    for name, alarm in alarms.items():
        assert "${aws_sns_topic.this.arn}" in alarm["alarm_actions"], name
    failed = alarms["flow_run_failed"]
    assert (
        failed["metric_name"]
        == "${aws_cloudwatch_log_metric_filter.flow_run_failed.metric_transformation[0].name}"
    )
    assert failed["comparison_operator"] == "GreaterThanOrEqualToThreshold"
    assert failed["treat_missing_data"] == "notBreaching"
    (metric_filter,) = [
        b for t, _, b in labelled(doc, "resource") if t == "aws_cloudwatch_log_metric_filter"
    ]
    assert metric_filter["log_group_name"] == '${aws_cloudwatch_log_group.this["app"].name}'
    assert metric_filter["pattern"] == "${local.flow_run_failed_pattern}"
    (budget,) = [b for t, _, b in labelled(doc, "resource") if t == "aws_budgets_budget"]
    notifications = {
        (n["threshold"], n["notification_type"]): n["subscriber_sns_topic_arns"]
        for n in blocks(budget, "notification")
    }
    assert notifications == {
        (80, "ACTUAL"): ["${aws_sns_topic.this.arn}"],
        (100, "FORECASTED"): ["${aws_sns_topic.this.arn}"],
    }


# --------------------------------------------------------------------------
# The failed-run alarm against real log lines
# --------------------------------------------------------------------------


def matches_json_filter(pattern: str, line: str) -> bool:
    """CloudWatch Logs' JSON filter syntax, the part the metric filter uses.

    `{ EXPR }` where EXPR combines `$.field = "text"` (or `!=`; `*` matches any run of
    characters) with `&&`, `||` and parentheses; a line that is not a JSON object never
    matches. Anything else in the pattern is an error here, so the filter cannot grow a
    construct this reading does not know.
    """
    tokens = re.findall(r'\$\.[\w.]+|"(?:[^"\\]|\\.)*"|&&|\|\||!=|=|[(){}]|\S', pattern)
    assert "".join(tokens) == re.sub(r"\s+(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", "", pattern)
    try:
        event = json.loads(line)
    except ValueError:
        return False
    if not isinstance(event, dict):
        return False
    position = 0

    def take(expected: str | None = None) -> str:
        nonlocal position
        token = tokens[position]
        assert expected is None or token == expected, (token, expected)
        position += 1
        return token

    def comparison() -> bool:
        if tokens[position] == "(":
            take("(")
            value = disjunction()
            take(")")
            return value
        selector, operator, text = take(), take(), take()
        assert selector.startswith("$.") and operator in {"=", "!="} and text[0] == '"'
        value: object = event
        for key in selector[2:].split("."):
            value = value.get(key) if isinstance(value, dict) else None
        wanted = re.escape(json.loads(text)).replace(r"\*", ".*")
        found = isinstance(value, str) and re.fullmatch(wanted, value, re.S) is not None
        return found if operator == "=" else not found

    def conjunction() -> bool:
        value = comparison()
        while position < len(tokens) and tokens[position] == "&&":
            take("&&")
            value = comparison() and value
        return value

    def disjunction() -> bool:
        value = conjunction()
        while position < len(tokens) and tokens[position] == "||":
            take("||")
            value = conjunction() or value
        return value

    take("{")
    result = disjunction()
    take("}")
    assert position == len(tokens)
    return result


def flow_run_failed_pattern() -> str:
    doc = parse((MODULES / "observability" / "main.tf").read_text())
    return {k: v for entry in doc["locals"] for k, v in entry.items()}["flow_run_failed_pattern"]


def test_the_filter_reading_is_not_vacuous() -> None:
    pattern = '{ ($.a = "x*") && (($.b = "y") || ($.c != "z")) }'
    assert matches_json_filter(pattern, '{"a": "xyz", "b": "y", "c": "z"}')
    assert matches_json_filter(pattern, '{"a": "x", "b": "n", "c": "q"}')
    assert not matches_json_filter(pattern, '{"a": "x", "b": "n", "c": "z"}')
    assert not matches_json_filter(pattern, '{"a": "ax", "b": "y"}')
    assert not matches_json_filter(pattern, "a x y plain text line")


@pytest.mark.slow
def test_a_failed_flow_run_counts_once_and_nothing_else_counts(prefect_api) -> None:
    """Real runs through Prefect's engine, each line as editorbot.logs writes it to the log."""
    import logging

    from prefect import flow, get_client, task
    from prefect.states import Completed, Crashed, Failed, Running

    from editorbot.errors import BadAudio
    from editorbot.logs import JsonFormatter
    from flows.recovery import recover
    from flows.runs import VIDEO_FAILED

    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    @task
    def breaks() -> None:
        raise RuntimeError("a step failed inside a run that recovers")

    @flow(name="alarm-fails")
    def fails() -> None:
        raise BadAudio("The note is silent; record it again closer to the microphone.")

    @flow(name="alarm-recovers")
    def recovers() -> None:
        breaks(return_state=True)

    @flow(name="alarm-expires")
    def expires():
        return Failed(name="Expired", message="Nobody decided in time; nothing was published.")

    @flow(name="alarm-rejects")
    def rejects():
        return Completed(name="Rejected", message="Rejected: no reason given")

    @flow(name="alarm-video-fails")
    def video_fails():
        return Failed(name=VIDEO_FAILED, message="Published scripts/x.json, but a video failed.")

    def crashes_twice() -> None:
        """A run whose process died twice, closed by the recovery sweep (no engine involved)."""
        with get_client(sync_client=True) as client:
            run = client.create_flow_run(expires, state=Running())
            for state in (Crashed(), Running(), Crashed()):
                client.set_flow_run_state(run.id, state, force=True)
            assert not recover(client.read_flow_run(run.id), resume=pytest.fail)

    flows = (fails, recovers, expires, rejects, video_fails)
    keep = Keep()
    keep.setFormatter(JsonFormatter())
    loggers = [
        logging.getLogger(name)
        for name in ("prefect.flow_runs", "prefect.task_runs", "flows.recovery")
    ]
    for logger in loggers:
        logger.addHandler(keep)
    try:
        counted = {}
        runs = {run.name: lambda run=run: run(return_state=True) for run in flows}
        for name, run in {**runs, "crashes-twice": crashes_twice}.items():
            lines.clear()
            run()
            assert lines, "no log line captured"
            counted[name] = [
                line for line in lines if matches_json_filter(flow_run_failed_pattern(), line)
            ]
    finally:
        for logger in loggers:
            logger.removeHandler(keep)
    (failed_line,) = counted.pop("alarm-fails")
    assert json.loads(failed_line)["message"].startswith("Finished in state Failed(")
    (video_line,) = counted.pop("alarm-video-fails")
    assert json.loads(video_line)["message"].startswith("Finished in state VideoFailed(")
    (gave_up_line,) = counted.pop("crashes-twice")
    assert json.loads(gave_up_line)["logger"] == "flows.recovery"
    assert counted == {"alarm-recovers": [], "alarm-expires": [], "alarm-rejects": []}


# --------------------------------------------------------------------------
# Broken fixtures: every rule must catch its own kind of mistake
# --------------------------------------------------------------------------

BROKEN = {
    ingress_violations: [
        """resource "aws_security_group" "bad" {
             ingress {
               from_port   = 443
               to_port     = 443
               protocol    = "tcp"
               cidr_blocks = ["0.0.0.0/0"]
             }
           }""",
        """resource "aws_vpc_security_group_ingress_rule" "bad" {
             security_group_id = "sg-1"
             ip_protocol       = "tcp"
             from_port         = 443
             to_port           = 443
             cidr_ipv6         = "::/0"
           }""",
        """resource "aws_security_group_rule" "bad" {
             type        = "ingress"
             from_port   = 8080
             to_port     = 8080
             protocol    = "tcp"
             cidr_blocks = ["10.0.0.0/8"]
           }""",
    ],
    ssh_violations: [
        """resource "aws_security_group" "bad" {
             ingress {
               from_port   = 22
               to_port     = 22
               protocol    = "tcp"
               cidr_blocks = ["10.0.0.0/8"]
             }
           }""",
        """resource "aws_vpc_security_group_ingress_rule" "bad" {
             ip_protocol = "-1"
             cidr_ipv4   = each.value
           }""",
    ],
    instance_violations: [
        """resource "aws_instance" "bad" {
             ami           = "ami-123"
             instance_type = "t3.micro"
             key_name      = "laptop"
             metadata_options {
               http_tokens = "optional"
             }
             root_block_device {
               encrypted = false
             }
           }""",
    ],
    bucket_violations: [
        """resource "aws_s3_bucket" "bad" {
             bucket = "bad"
           }
           resource "aws_s3_bucket_public_access_block" "bad" {
             bucket                  = aws_s3_bucket.bad.id
             block_public_acls       = true
             block_public_policy     = true
             ignore_public_acls      = true
             restrict_public_buckets = false
           }""",
    ],
    wildcard_iam_violations: [
        """data "aws_iam_policy_document" "bad" {
             statement {
               actions   = ["*"]
               resources = ["*"]
             }
           }""",
        """resource "aws_iam_role_policy" "bad" {
             policy = jsonencode({
               Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
             })
           }""",
    ],
    variable_violations: [
        'variable "x" {\n  type = string\n}',
        'variable "y" {\n  description = "no type"\n}',
    ],
    output_violations: ['output "x" {\n  value = 1\n}'],
}


@pytest.mark.parametrize(
    ("rule", "text"),
    [(rule, text) for rule, texts in BROKEN.items() for text in texts],
    ids=lambda v: v.__name__ if callable(v) else "",
)
def test_rule_catches_broken_fixture(rule, text: str) -> None:
    assert rule(parse(text)), f"{rule.__name__} missed:\n{text}"


def test_bucket_rule_accepts_a_complete_bucket() -> None:
    """The bucket rule is not simply always-failing: a fully configured bucket passes."""
    good = """
      resource "aws_s3_bucket" "ok" { bucket = "ok" }
      resource "aws_s3_bucket_public_access_block" "ok" {
        bucket                  = aws_s3_bucket.ok.id
        block_public_acls       = true
        block_public_policy     = true
        ignore_public_acls      = true
        restrict_public_buckets = true
      }
      resource "aws_s3_bucket_versioning" "ok" {
        bucket = aws_s3_bucket.ok.id
        versioning_configuration { status = "Enabled" }
      }
      resource "aws_s3_bucket_server_side_encryption_configuration" "ok" {
        bucket = aws_s3_bucket.ok.id
        rule {
          apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
        }
      }
      data "aws_iam_policy_document" "ok" {
        statement {
          effect    = "Deny"
          actions   = ["s3:*"]
          resources = ["*"]
          condition {
            test     = "Bool"
            variable = "aws:SecureTransport"
            values   = ["false"]
          }
        }
      }
      resource "aws_s3_bucket_policy" "ok" {
        bucket = aws_s3_bucket.ok.id
        policy = data.aws_iam_policy_document.ok.json
      }
    """
    assert bucket_violations(parse(good)) == []


def test_module_layout_rule_catches_missing_file(tmp_path: Path) -> None:
    module = tmp_path / "half"
    module.mkdir()
    for name in ("main.tf", "variables.tf"):
        (module / name).write_text("")
    assert module_layout_violations(tmp_path) == [
        "half: missing outputs.tf",
        "half: missing versions.tf",
        "half: missing README.md",
    ]


# --------------------------------------------------------------------------
# Optional: Terraform itself rejects an open allowlist (needs a local provider)
# --------------------------------------------------------------------------

_MIRROR = os.environ.get("EDITORBOT_TF_PROVIDER_MIRROR", "/opt/tf-plugins")


@pytest.mark.skipif(
    not (
        shutil.which("terraform") and Path(_MIRROR, "registry.terraform.io/hashicorp/aws").is_dir()
    ),
    reason="needs terraform and a local aws provider mirror (EDITORBOT_TF_PROVIDER_MIRROR)",
)
def test_terraform_rejects_open_allowlist(tmp_path: Path) -> None:
    version = subprocess.run(["terraform", "version"], capture_output=True, text=True).stdout
    if not re.search(r"Terraform v1\.(1[1-9]|[2-9]\d)", version):
        pytest.skip(f"needs Terraform >= 1.11, found {version.splitlines()[:1]}")
    rc = tmp_path / "terraformrc"
    rc.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{_MIRROR}"\n  }}\n}}\n'
    )
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(
        'provider "aws" {\n  region = "eu-west-1"\n}\n'
        'module "network" {\n'
        f'  source                 = "{MODULES / "network"}"\n'
        '  name                   = "editorbot-test"\n'
        '  vpc_id                 = "vpc-0123456789abcdef0"\n'
        '  ingress_allowlist_ipv4 = ["0.0.0.0/0"]\n'
        '  ingress_allowlist_ipv6 = ["::/0"]\n'
        "}\n"
    )
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1"}
    init = subprocess.run(
        ["terraform", "init", "-backend=false", "-input=false", "-no-color"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    validate = subprocess.run(
        ["terraform", "validate", "-no-color"], cwd=root, env=env, capture_output=True, text=True
    )
    assert validate.returncode != 0
    assert validate.stderr.count("Invalid value for variable") == 2
