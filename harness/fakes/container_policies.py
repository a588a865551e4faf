"""The container roles' statements (infra/modules/iam), rendered from the layout as Terraform does.

On the VM each container runs with its own role: every role reads its own secrets
(`container_secrets`), and the runner and the bot also hold the content bucket's statements
(`content`), whose prefixes come from the storage module, which reads editorbot/layout.json.
This renders the same statements from the same file for the AWS stand-in's callers;
tests/infra/test_container_policies.py evaluates the Terraform and compares them, so the
two cannot drift.
"""

import json
from typing import Any

from editorbot.layout import PREFIXES

ROLES = ("server", "runner", "bot")
CONTENT_ROLES = ("runner", "bot")
"""The roles that read and write the content bucket."""


def bucket_prefixes() -> list[str]:
    """The prefixes as the iam module receives them: `values()` of the storage module's map,
    which Terraform orders by key."""
    return [PREFIXES[area] for area in sorted(PREFIXES)]


def content_statements(*, bucket_arn: str, bucket_kms_key_arn: str, region: str) -> list[dict]:
    """The `content` policy document: the layout's prefixes of one bucket, and its key via S3."""
    prefixes = bucket_prefixes()
    return [
        {
            "Sid": "ListOnlyAppPrefixes",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [bucket_arn],
            "Condition": {
                "StringLike": {
                    "s3:prefix": [p for prefix in prefixes for p in (prefix, f"{prefix}*")]
                }
            },
        },
        {
            "Sid": "ReadWriteAppPrefixes",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": [f"{bucket_arn}/{prefix}*" for prefix in prefixes],
        },
        {
            "Sid": "UseBucketKeyThroughS3",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": [bucket_kms_key_arn],
            "Condition": {"StringEquals": {"kms:ViaService": [f"s3.{region}.amazonaws.com"]}},
        },
    ]


def secrets_statements(
    role: str,
    *,
    secrets_kms_key_arn: str,
    region: str,
    account_id: str,
    environment: str,
    partition: str = "aws",
) -> list[dict]:
    """The `container_secrets` policy document of one role: its own SSM path, decrypted."""
    path = f"arn:{partition}:ssm:{region}:{account_id}:parameter/editorbot/{environment}/{role}"
    return [
        {
            "Sid": "ReadOwnSecrets",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
            "Resource": [path, f"{path}/*"],
        },
        {
            "Sid": "DecryptOwnSecretsThroughSsm",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [secrets_kms_key_arn],
            "Condition": {
                "StringEquals": {"kms:ViaService": [f"ssm.{region}.amazonaws.com"]},
                "ArnLike": {"kms:EncryptionContext:PARAMETER_ARN": [f"{path}/*"]},
            },
        },
    ]


def policy(statements: list[dict[str, Any]]) -> str:
    """Statements as one policy document (JSON), as put on an IAM user or role."""
    return json.dumps({"Version": "2012-10-17", "Statement": statements})
