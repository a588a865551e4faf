"""The container roles' S3, KMS and SSM statements in infra/ are the ones the tests' AWS enforces.

infra/ is evaluated as Terraform would evaluate it, offline: the storage module's prefixes
(read from editorbot/layout.json), passed by envs/prod to the iam module, rendered into its
`content` and `container_secrets` policy documents. harness/fakes/container_policies.py
renders the same statements for the stand-in's callers; here the two must be equal,
statement by statement, role by role.
"""

import importlib.metadata
from pathlib import Path

import pytest

from editorbot.layout import PREFIXES

hcl2 = pytest.importorskip("hcl2", reason="python-hcl2 is needed for the infra tests")
if int(importlib.metadata.version("python-hcl2").split(".")[0]) < 8:
    pytest.skip(
        "needs python-hcl2>=8 (checkov's fork reads HCL otherwise)", allow_module_level=True
    )

from harness.fakes.container_policies import (  # noqa: E402
    CONTENT_ROLES,
    ROLES,
    content_statements,
    secrets_statements,
)
from tests.infra.terraform_values import Module  # noqa: E402

INFRA = Path(__file__).resolve().parents[2] / "infra"
ACCOUNT_ID, REGION = "000000000000", "eu-west-1"
BUCKET = {
    "bucket_arn": "arn:aws:s3:::editorbot-prod-content-000000000000",
    "bucket_kms_key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/bucket",
    "region": REGION,
}
SECRETS = {
    "secrets_kms_key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/secrets",
    "region": REGION,
    "account_id": ACCOUNT_ID,
    "environment": "prod",
}
DATA = {
    "aws_caller_identity": {"current": {"account_id": ACCOUNT_ID}},
    "aws_region": {"current": {"name": REGION}},
    "aws_partition": {"current": {"partition": "aws"}},
}


def iam_module(texts: dict[str, str] | None = None) -> Module:
    """The iam module with the inputs envs/prod gives it, bucket prefixes included."""
    storage = Module(INFRA / "modules" / "storage", {"name": "editorbot-prod"}, DATA)
    prod = Module(
        INFRA / "envs" / "prod",
        {"environment": "prod"},
        DATA,
        modules={"storage": {"prefixes": storage.output("prefixes")}},
    )
    return Module(
        INFRA / "modules" / "iam",
        {
            "name": "editorbot-prod",
            "environment": SECRETS["environment"],
            "bucket_arn": BUCKET["bucket_arn"],
            "bucket_prefixes": prod.module_argument("iam", "bucket_prefixes"),
            "bucket_kms_key_arn": BUCKET["bucket_kms_key_arn"],
            "secrets_kms_key_arn": SECRETS["secrets_kms_key_arn"],
            "log_group_arns": [f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:/editorbot/prod/app"],
        },
        DATA,
        texts=texts,
    )


def drift(iam: Module) -> list[str]:
    """Where the Terraform's statements and the stand-in's differ (empty: nowhere)."""
    found = []
    if iam.policy_statements("content") != content_statements(**BUCKET):
        found.append("content")
    for role in ROLES:
        if iam.policy_statements("container_secrets", each=role) != secrets_statements(
            role, **SECRETS
        ):
            found.append(f"container_secrets[{role}]")
    return found


def test_the_storage_module_grants_the_layout_of_the_package():
    storage = Module(INFRA / "modules" / "storage", {"name": "editorbot-prod"}, DATA)
    assert storage.output("prefixes") == PREFIXES


def test_the_stand_in_enforces_exactly_the_container_roles_statements():
    iam = iam_module()
    assert iam.scope["local"]["container_roles"] == sorted(ROLES)
    assert iam.scope["local"]["content_roles"] == sorted(CONTENT_ROLES)
    assert drift(iam) == []
    # Nothing else in the module grants S3, the bucket or its key (read as written: the
    # other documents need inputs this test does not give).
    for name, document in iam.policy_documents().items():
        if name in ("content", "container_secrets"):
            continue
        statements = document.get("statement", [])
        for statement in [statements] if isinstance(statements, dict) else statements:
            assert not [a for a in statement.get("actions", []) if a.lower().startswith("s3:")]
            assert "var.bucket_" not in str(statement.get("resources", "")), name


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('"s3:AbortMultipartUpload"', '"s3:AbortMultipartUpload", "s3:DeleteObject"'),
        ('"${var.bucket_arn}/${p}*"', '"${var.bucket_arn}/${p}"'),
        ('"s3.${local.region}.amazonaws.com"', '"s3.amazonaws.com"'),
        ('"${local.ssm_path_arn}/${each.key}/*"]', '"${local.ssm_path_arn}/*"]'),
    ],
)
def test_a_changed_statement_in_the_terraform_is_seen(before, after):
    main = (INFRA / "modules" / "iam" / "main.tf").read_text()
    assert before in main
    assert drift(iam_module({"main.tf": main.replace(before, after, 1)}))
