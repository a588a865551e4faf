"""The control VM's S3, KMS and SSM statements, rendered from the layout as Terraform renders them.

infra/modules/iam grants the instance role its bucket prefixes from the storage module,
which reads editorbot/layout.json; this renders the same statements from the same file,
for the AWS stand-in's test user. tests/infra/test_instance_policy.py evaluates the
Terraform's statements and compares them with these, so the two cannot drift.
"""

import json
from typing import Any

from editorbot.layout import PREFIXES

# The instance policy's statements these are, by Sid.
SIDS = (
    "ListOnlyAppPrefixes",
    "ReadWriteAppPrefixes",
    "UseBucketKeyThroughS3",
    "ReadOwnSecrets",
    "DecryptSecretsThroughSsm",
)


def bucket_prefixes() -> list[str]:
    """The prefixes as the iam module receives them: `values()` of the storage module's map,
    which Terraform orders by key."""
    return [PREFIXES[area] for area in sorted(PREFIXES)]


def instance_statements(
    *,
    bucket_arn: str,
    bucket_kms_key_arn: str,
    secrets_kms_key_arn: str,
    region: str,
    account_id: str,
    environment: str,
    partition: str = "aws",
) -> list[dict[str, Any]]:
    """The statements, in IAM's JSON form, for one bucket, key pair and environment."""
    prefixes = bucket_prefixes()
    ssm_path_arn = f"arn:{partition}:ssm:{region}:{account_id}:parameter/editorbot/{environment}"
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
        {
            "Sid": "ReadOwnSecrets",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
            "Resource": [ssm_path_arn, f"{ssm_path_arn}/*"],
        },
        {
            "Sid": "DecryptSecretsThroughSsm",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [secrets_kms_key_arn],
            "Condition": {"StringEquals": {"kms:ViaService": [f"ssm.{region}.amazonaws.com"]}},
        },
    ]


def instance_policy(**inputs: str) -> str:
    """The statements as one policy document (JSON), as put on an IAM user or role."""
    return json.dumps({"Version": "2012-10-17", "Statement": instance_statements(**inputs)})
