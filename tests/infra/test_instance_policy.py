"""The instance role's S3, KMS and SSM statements in infra/ are the ones the tests' AWS enforces.

infra/ is evaluated as Terraform would evaluate it, offline: the storage module's prefixes
(read from editorbot/layout.json), passed by envs/prod to the iam module, rendered into its
`instance` policy document. harness/fakes/instance_policy.py renders the same statements for
the stand-in's test user; here the two must be equal, statement by statement.
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

from harness.fakes.instance_policy import SIDS, instance_statements  # noqa: E402
from tests.infra.terraform_values import Module  # noqa: E402

INFRA = Path(__file__).resolve().parents[2] / "infra"
INPUTS = {
    "bucket_arn": "arn:aws:s3:::editorbot-prod-content-000000000000",
    "bucket_kms_key_arn": "arn:aws:kms:eu-west-1:000000000000:key/bucket",
    "secrets_kms_key_arn": "arn:aws:kms:eu-west-1:000000000000:key/secrets",
    "region": "eu-west-1",
    "account_id": "000000000000",
    "environment": "prod",
}
DATA = {
    "aws_caller_identity": {"current": {"account_id": INPUTS["account_id"]}},
    "aws_region": {"current": {"name": INPUTS["region"]}},
    "aws_partition": {"current": {"partition": "aws"}},
}


def terraform_statements(iam_texts: dict[str, str] | None = None) -> dict[str, dict]:
    """The instance policy's statements by Sid, as envs/prod wires the modules."""
    storage = Module(INFRA / "modules" / "storage", {"name": "editorbot-prod"}, DATA)
    prod = Module(
        INFRA / "envs" / "prod",
        {"environment": "prod"},
        DATA,
        modules={"storage": {"prefixes": storage.output("prefixes")}},
    )
    iam = Module(
        INFRA / "modules" / "iam",
        {
            "name": "editorbot-prod",
            "environment": INPUTS["environment"],
            "bucket_arn": INPUTS["bucket_arn"],
            "bucket_prefixes": prod.module_argument("iam", "bucket_prefixes"),
            "bucket_kms_key_arn": INPUTS["bucket_kms_key_arn"],
            "secrets_kms_key_arn": INPUTS["secrets_kms_key_arn"],
            "log_group_arns": ["arn:aws:logs:eu-west-1:000000000000:log-group:/editorbot/prod/app"],
        },
        DATA,
        texts=iam_texts,
    )
    return {s["Sid"]: s for s in iam.policy_statements("instance")}


def test_the_storage_module_grants_the_layout_of_the_package():
    storage = Module(INFRA / "modules" / "storage", {"name": "editorbot-prod"}, DATA)
    assert storage.output("prefixes") == PREFIXES


def test_the_stand_in_enforces_exactly_the_instance_roles_s3_kms_and_ssm_statements():
    terraform = terraform_statements()
    python = {s["Sid"]: s for s in instance_statements(**INPUTS)}
    assert set(python) == set(SIDS)
    for sid in SIDS:
        assert terraform[sid] == python[sid], sid
    # No other statement grants S3, or the bucket's key, beside them.
    others = [s for sid, s in terraform.items() if sid not in SIDS]
    assert not [a for s in others for a in s["Action"] if a.lower().startswith("s3:")]
    assert not [s for s in others if INPUTS["bucket_kms_key_arn"] in s.get("Resource", [])]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('"s3:AbortMultipartUpload"', '"s3:AbortMultipartUpload", "s3:DeleteObject"'),
        ('"${var.bucket_arn}/${p}*"', '"${var.bucket_arn}/${p}"'),
        ('"s3.${local.region}.amazonaws.com"', '"s3.amazonaws.com"'),
        ("parameter/editorbot/${var.environment}", "parameter/editorbot"),
    ],
)
def test_a_changed_statement_in_the_terraform_is_seen(before, after):
    main = (INFRA / "modules" / "iam" / "main.tf").read_text()
    assert before in main
    changed = terraform_statements({"main.tf": main.replace(before, after, 1)})
    python = {s["Sid"]: s for s in instance_statements(**INPUTS)}
    assert any(changed[sid] != python[sid] for sid in SIDS)
