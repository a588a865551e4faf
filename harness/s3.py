"""AWS as the VM's containers meet it: moto in server mode with IAM on, behind a proxy that
adds what moto leaves out (harness/fakes/aws_iam.py), and a caller holding exactly the
runner's role statements (harness/fakes/container_policies.py). Real boto3 over HTTP."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import boto3
import httpx

from harness.fakes.aws_iam import IamEnforcingAws
from harness.fakes.container_policies import content_statements, policy, secrets_statements

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's
ENVIRONMENT = "prod"
APP_ROLE = "runner"
"""The container role the app user stands for; the bot's S3 statements are the same."""
_ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Keys:
    access_key_id: str
    secret_access_key: str

    def client_kwargs(self) -> dict[str, str]:
        return {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "region_name": REGION,
        }


@dataclass
class AwsStandIn:
    """The running stand-in: `endpoint` is what the code talks to (the proxy); `app` the keys
    of the user holding the runner role's statements, `admin` those of an administrator."""

    endpoint: str
    moto: str
    proxy: IamEnforcingAws
    admin: Keys
    app: Keys
    app_arn: str
    bucket_kms_key_arn: str
    secrets_kms_key_arn: str
    buckets: list[str] = field(default_factory=list)

    def client(self, service: str, keys: Keys | None = None):
        """A boto3 client through the proxy, as `keys` (the administrator by default)."""
        return boto3.client(
            service, endpoint_url=self.endpoint, **(keys or self.admin).client_kwargs()
        )

    def content_statements(self, bucket: str) -> list[dict]:
        """The content bucket's statements, as the runner and bot roles hold them for `bucket`."""
        return content_statements(
            bucket_arn=f"arn:aws:s3:::{bucket}",
            bucket_kms_key_arn=self.bucket_kms_key_arn,
            region=REGION,
        )

    def secrets_statements(self, role: str) -> list[dict]:
        """A container role's statements for its own secrets."""
        return secrets_statements(
            role,
            secrets_kms_key_arn=self.secrets_kms_key_arn,
            region=REGION,
            account_id=ACCOUNT_ID,
            environment=ENVIRONMENT,
        )

    def new_user(self, name: str, policy: str) -> Keys:
        """Another user with one policy document, enforced as the app user's is."""
        iam = self.client("iam")
        arn = iam.create_user(UserName=name)["User"]["Arn"]
        iam.put_user_policy(UserName=name, PolicyName="only", PolicyDocument=policy)
        keys = _keys(iam.create_access_key(UserName=name))
        self.proxy.grant(keys.access_key_id, arn, json.loads(policy))
        return keys

    def new_bucket(self) -> str:
        """A bucket made as the storage module makes it (versioned, SSE-KMS with bucket keys),
        and the content statements for it on the app user."""
        name = f"editorbot-{uuid.uuid4().hex[:12]}"
        s3 = self.client("s3")
        s3.create_bucket(Bucket=name)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": self.bucket_kms_key_arn,
                        },
                        "BucketKeyEnabled": True,
                    }
                ]
            },
        )
        # One inline policy per bucket: for each bucket the user holds exactly what the
        # runner's role holds for its own.
        self._grant_app(name, policy(self.content_statements(name)))
        self.proxy.add_bucket(name, self.bucket_kms_key_arn)
        self.buckets.append(name)
        return name

    def _grant_app(self, name: str, document: str) -> None:
        self.client("iam").put_user_policy(UserName="app", PolicyName=name, PolicyDocument=document)
        self.proxy.grant(self.app.access_key_id, self.app_arn, json.loads(document))


@contextlib.contextmanager
def aws_with_iam() -> Iterator[AwsStandIn]:
    """Start moto (its own process, so IAM enforcement stays out of other moto servers),
    create an administrator while authentication is still off, turn it on, then make the
    KMS keys and the app user (the runner's secrets; each bucket's content statements come
    with the bucket) as the administrator."""
    port = free_port()
    moto_url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
    )
    try:
        _wait_until_up(moto_url, process)
        anyone = Keys("bootstrap-only", "bootstrap-only")
        iam = boto3.client("iam", endpoint_url=moto_url, **anyone.client_kwargs())
        iam.create_user(UserName="admin")
        iam.put_user_policy(
            UserName="admin", PolicyName="admin", PolicyDocument=json.dumps(_ADMIN_POLICY)
        )
        admin = _keys(iam.create_access_key(UserName="admin"))
        # From here on every request must be signed by a user moto knows, with the rights.
        httpx.post(f"{moto_url}/moto-api/reset-auth", content=b"0").raise_for_status()

        iam = boto3.client("iam", endpoint_url=moto_url, **admin.client_kwargs())
        kms = boto3.client("kms", endpoint_url=moto_url, **admin.client_kwargs())
        bucket_key = kms.create_key(Description="content bucket")["KeyMetadata"]["Arn"]
        secrets_key = kms.create_key(Description="SSM secrets")["KeyMetadata"]["Arn"]
        app_arn = iam.create_user(UserName="app")["User"]["Arn"]
        app = _keys(iam.create_access_key(UserName="app"))
        admin_pair = (admin.access_key_id, admin.secret_access_key)
        with IamEnforcingAws(moto_url, ACCOUNT_ID, admin_pair, secrets_key) as proxy:
            stand_in = AwsStandIn(
                proxy.url, moto_url, proxy, admin, app, app_arn, bucket_key, secrets_key
            )
            stand_in._grant_app(
                f"{APP_ROLE}-secrets", policy(stand_in.secrets_statements(APP_ROLE))
            )
            yield stand_in
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _keys(created: dict) -> Keys:
    return Keys(created["AccessKey"]["AccessKeyId"], created["AccessKey"]["SecretAccessKey"])


def _wait_until_up(url: str, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto's server exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"{url}/moto-api/data.json", timeout=1)
            return
        time.sleep(0.1)
    raise RuntimeError(f"moto's server did not answer on {url} in {timeout_s:.0f} s")
