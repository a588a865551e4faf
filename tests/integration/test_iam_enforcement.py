"""The AWS stand-in refuses what AWS refuses the containers' roles, and the code reads it right.

Each refusal is shown with plain boto3 calls as the app user (exactly the runner role's
statements), next to the same call allowed, so a stand-in that let everything through
fails here.
"""

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from editorbot.layout import PREFIXES
from editorbot.ssm_env import SecretsUnavailable, load_env, read_parameters, role_prefix
from editorbot.storage import S3Storage, open_storage
from harness.fake_secrets import TELEGRAM_TOKEN_SHAPED
from harness.fakes.container_policies import policy


def _as(keys, endpoint):
    return boto3.client("s3", endpoint_url=endpoint, **keys.client_kwargs())


def _status(call) -> int:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_the_app_user_touches_only_the_layouts_prefixes(aws, s3_bucket):
    s3 = _as(aws.app, aws.endpoint)
    for prefix in PREFIXES.values():
        s3.put_object(Bucket=s3_bucket, Key=f"{prefix}probe", Body=b"x")
        assert s3.get_object(Bucket=s3_bucket, Key=f"{prefix}probe")["Body"].read() == b"x"
    # What bot/preferences.py wrote before the layout: refused on the VM, refused here.
    assert (
        _status(lambda: s3.put_object(Bucket=s3_bucket, Key="bot/users/1.json", Body=b"{}")) == 403
    )
    assert _status(lambda: s3.delete_object(Bucket=s3_bucket, Key="drafts/probe")) == 403


def test_listing_is_allowed_only_under_a_prefix_of_the_layout(aws, s3_bucket):
    s3 = _as(aws.app, aws.endpoint)
    assert s3.list_objects_v2(Bucket=s3_bucket, Prefix="drafts/")["KeyCount"] == 0
    assert s3.list_objects_v2(Bucket=s3_bucket, Prefix="drafts/2026/11/")["KeyCount"] == 0
    for prefix in (None, "", "bot/", "audio/"):
        listing = {"Bucket": s3_bucket} | ({"Prefix": prefix} if prefix is not None else {})
        assert _status(lambda listing=listing: s3.list_objects_v2(**listing)) == 403, prefix
    assert _status(lambda: s3.head_bucket(Bucket=s3_bucket)) == 403
    # The administrator, with s3:ListBucket unconditioned, may list everything.
    assert aws.client("s3").list_objects_v2(Bucket=s3_bucket)["KeyCount"] == 0


def test_a_missing_key_is_a_403_for_the_app_and_a_404_for_the_administrator(aws, s3_bucket):
    app, admin = _as(aws.app, aws.endpoint), aws.client("s3")
    key = "preferences/404.json"
    assert _status(lambda: app.head_object(Bucket=s3_bucket, Key=key)) == 403
    assert _status(lambda: app.get_object(Bucket=s3_bucket, Key=key)) == 403
    assert _status(lambda: admin.head_object(Bucket=s3_bucket, Key=key)) == 404
    assert _status(lambda: admin.get_object(Bucket=s3_bucket, Key=key)) == 404


def test_storage_reads_a_403_on_a_missing_key_as_missing(aws, s3_bucket):
    storage = open_storage(f"s3://{s3_bucket}", s3_endpoint_url=aws.endpoint)
    assert not storage.exists("preferences/1.json")
    with pytest.raises(KeyError):
        storage.get("preferences/1.json")
    storage.put_once("scripts/2026/11/28/1-2.md", b"# once")
    storage.put_once("scripts/2026/11/28/1-2.md", b"# once")
    assert storage.exists("scripts/2026/11/28/1-2.md")


def _without(sid: str, bucket: str, aws) -> str:
    """The runner role's statements for `bucket` and its secrets, but the one named `sid`."""
    statements = aws.content_statements(bucket) + aws.secrets_statements("runner")
    return policy([s for s in statements if s["Sid"] != sid])


def test_writing_and_reading_the_encrypted_bucket_needs_its_kms_key_through_s3(aws, s3_bucket):
    no_kms = aws.new_user("no-bucket-key", _without("UseBucketKeyThroughS3", s3_bucket, aws))
    s3 = _as(no_kms, aws.endpoint)
    assert _status(lambda: s3.put_object(Bucket=s3_bucket, Key="drafts/k", Body=b"x")) == 403
    _as(aws.app, aws.endpoint).put_object(Bucket=s3_bucket, Key="drafts/k", Body=b"x")
    assert _status(lambda: s3.get_object(Bucket=s3_bucket, Key="drafts/k")) == 403
    # The same key granted through SSM is no grant for S3.
    through_ssm = [
        {**statement, "Sid": "BucketKeyThroughSsm", "Resource": [aws.bucket_kms_key_arn]}
        for statement in aws.secrets_statements("runner")
        if statement["Sid"] == "DecryptOwnSecretsThroughSsm"
    ]
    statements = json.loads(_without("UseBucketKeyThroughS3", s3_bucket, aws))["Statement"]
    s3 = _as(aws.new_user("bucket-key-via-ssm", policy(statements + through_ssm)), aws.endpoint)
    assert _status(lambda: s3.put_object(Bucket=s3_bucket, Key="drafts/k2", Body=b"x")) == 403


def test_a_real_denial_on_a_key_that_exists_is_never_read_as_missing(aws, s3_bucket):
    _as(aws.app, aws.endpoint).put_object(Bucket=s3_bucket, Key="drafts/k", Body=b"x")
    no_kms = aws.new_user("cannot-decrypt", _without("UseBucketKeyThroughS3", s3_bucket, aws))
    storage = S3Storage(s3_bucket, _as(no_kms, aws.endpoint))
    assert storage.exists("drafts/k")
    with pytest.raises(ClientError, match="AccessDenied"):
        storage.get("drafts/k")
    # Without the listing grant absence cannot be confirmed: the denial stands.
    no_list = aws.new_user("cannot-list", _without("ListOnlyAppPrefixes", s3_bucket, aws))
    storage = S3Storage(s3_bucket, _as(no_list, aws.endpoint))
    with pytest.raises(ClientError, match="AccessDenied"):
        storage.get("drafts/missing")


def test_each_role_reads_its_own_secrets_and_no_other(aws, s3_bucket):
    admin = aws.client("ssm")
    for role, value in (("runner", TELEGRAM_TOKEN_SHAPED), ("bot", "the-bots-own")):
        admin.put_parameter(
            Name=f"/editorbot/prod/{role}/telegram_bot_token",
            Value=value,
            Type="SecureString",
            KeyId=aws.secrets_kms_key_arn,
            Overwrite=True,
        )
    runner = aws.client("ssm", aws.app)
    env = load_env(role_prefix("/editorbot/prod/", "runner"), runner)
    assert env["EDITORBOT_TELEGRAM_TOKEN"] == TELEGRAM_TOKEN_SHAPED
    for elsewhere in ("/editorbot/prod/bot/", "/editorbot/prod/", "/editorbot/staging/runner/"):
        with pytest.raises(SecretsUnavailable, match="AccessDenied"):
            read_parameters(elsewhere, runner)
    # The secrets key is granted through SSM only; without that statement nothing decrypts.
    no_key = aws.new_user("no-secrets-key", _without("DecryptOwnSecretsThroughSsm", s3_bucket, aws))
    with pytest.raises(SecretsUnavailable, match="AccessDenied"):
        read_parameters("/editorbot/prod/runner/", aws.client("ssm", no_key))
    # Nor for another role's parameters: SSM names each one in the decryption's context.
    statements = json.loads(_without("ReadOwnSecrets", s3_bucket, aws))["Statement"]
    read_all = {
        "Sid": "ReadEveryRolesSecrets",
        "Effect": "Allow",
        "Action": ["ssm:GetParametersByPath"],
        "Resource": ["arn:aws:ssm:us-east-1:123456789012:parameter/editorbot/prod/*"],
    }
    wide = aws.client("ssm", aws.new_user("reads-wide", policy([*statements, read_all])))
    with pytest.raises(SecretsUnavailable, match="AccessDenied"):
        read_parameters("/editorbot/prod/bot/", wide)
