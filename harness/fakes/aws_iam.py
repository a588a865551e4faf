"""A proxy in front of moto that enforces what AWS enforces and moto, with IAM on, does not.

moto (authentication on) checks each request's signature, and its action and resource
against the caller's policies. For the principals registered with `grant`, this proxy adds:

S3
- conditions: `s3:ListBucket` is refused unless a statement allows it for the request's
  `s3:prefix` (a listing without a prefix, or HeadBucket, carries none), as the content
  statements' `ListOnlyAppPrefixes` is written;
- a missing key: a GET or HEAD of a key that does not exist is answered 403, not 404,
  unless the caller may list the bucket, and a GET carries no `s3:prefix`;
- SSE-KMS through S3: writing to a bucket encrypted with a KMS key needs
  `kms:GenerateDataKey` on that key (a multipart upload also `kms:Decrypt`), reading an
  object encrypted with one needs `kms:Decrypt`, each with `kms:ViaService` =
  `s3.<region>.amazonaws.com`.

SSM
- moto authorizes SSM calls against the resource `*`, so a statement scoped to parameter
  ARNs, as each container role's `ReadOwnSecrets` is, never matches there. This proxy
  decides on the parameter ARNs (GetParametersByPath on its path), asks `kms:Decrypt` on
  the secrets key for each SecureString it decrypts, with `kms:ViaService` =
  `ssm.<region>.amazonaws.com` and the parameter's ARN as
  `kms:EncryptionContext:PARAMETER_ARN`, and forwards an allowed call signed as the
  administrator.
"""

import json
import threading
from typing import Any, NamedTuple

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness.fakes.aws_proxy import AwsProxy, ProxiedRequest, ProxyAnswer, s3_error
from harness.fakes.iam_evaluation import is_allowed


class Refusal(NamedTuple):
    method: str
    bucket: str
    key: str
    action: str


class _Principal:
    def __init__(self, arn: str) -> None:
        self.arn = arn
        self.policies: list[dict[str, Any]] = []


class IamEnforcingAws(AwsProxy):
    """`grant(access_key_id, arn, policy)` registers a caller's policies; `add_bucket(name,
    kms_key_arn)` a bucket made upstream with its default KMS key (or None). Other callers
    pass through to moto as they are. `refusals` lists the requests refused here.

    `account_id`, `admin` (access key id, secret) and `secrets_kms_key_arn` serve SSM.
    """

    def __init__(
        self, upstream: str, account_id: str, admin: tuple[str, str], secrets_kms_key_arn: str
    ) -> None:
        self._lock = threading.Lock()
        self._principals: dict[str, _Principal] = {}
        self._buckets: dict[str, str | None] = {}
        self._account_id = account_id
        self._admin = Credentials(*admin)
        self._secrets_key = secrets_kms_key_arn
        self.refusals: list[Refusal] = []
        super().__init__(upstream)

    def grant(self, access_key_id: str, arn: str, policy: dict[str, Any]) -> None:
        with self._lock:
            principal = self._principals.setdefault(access_key_id, _Principal(arn))
            principal.policies.append(policy)

    def add_bucket(self, name: str, kms_key_arn: str | None) -> None:
        with self._lock:
            self._buckets[name] = kms_key_arn

    def answer(self, request: ProxiedRequest) -> ProxyAnswer | None:
        principal = self._principal(request)
        service = request.credential[2]
        if principal is None:
            return None
        if service == "s3":
            return self._s3_answer(request, principal)
        if service == "ssm":
            return self._ssm_answer(request, principal)
        return None

    def review(self, request: ProxiedRequest, answer: ProxyAnswer) -> ProxyAnswer:
        principal = self._principal(request)
        if principal is None or request.credential[2] != "s3":
            return answer
        return self._s3_review(request, principal, answer)

    # -- S3 ------------------------------------------------------------------------------------

    def _s3_answer(self, request: ProxiedRequest, principal: _Principal) -> ProxyAnswer | None:
        if not request.bucket:
            return None
        bucket_arn = f"arn:aws:s3:::{request.bucket}"
        query, region = request.query, request.credential[1]
        context = {"s3:prefix": query["prefix"]} if "prefix" in query else {}
        if not request.key:
            if request.method == "HEAD" or (
                request.method == "GET" and ("list-type" in query or not query)
            ):
                # HeadBucket is authorized as s3:ListBucket, with no s3:prefix.
                return self._s3_unless(request, principal, "s3:ListBucket", bucket_arn, context)
            if request.method == "GET" and "versions" in query:
                action = "s3:ListBucketVersions"
                return self._s3_unless(request, principal, action, bucket_arn, context)
            return None
        key_arn = self._kms_key_for_write(request)
        if key_arn is not None:
            needed = ["kms:GenerateDataKey"]
            if request.method == "POST" and "uploads" in query:
                needed.append("kms:Decrypt")  # S3 reads the encrypted parts to complete
            for action in needed:
                refusal = self._s3_unless(request, principal, action, key_arn, _via("s3", region))
                if refusal is not None:
                    return refusal
        return None

    def _s3_review(
        self, request: ProxiedRequest, principal: _Principal, answer: ProxyAnswer
    ) -> ProxyAnswer:
        if not request.key or request.method not in ("GET", "HEAD"):
            return answer
        if answer.status == 404 and self._is_missing_key(request, answer):
            bucket_arn = f"arn:aws:s3:::{request.bucket}"
            refusal = self._s3_unless(request, principal, "s3:ListBucket", bucket_arn, {})
            return refusal or answer
        if (
            request.method == "GET"
            and answer.status in (200, 206)
            and answer.header("x-amz-server-side-encryption") == "aws:kms"
        ):
            key_arn = answer.header("x-amz-server-side-encryption-aws-kms-key-id") or ""
            via_s3 = _via("s3", request.credential[1])
            refusal = self._s3_unless(request, principal, "kms:Decrypt", key_arn, via_s3)
            return refusal or answer
        return answer

    def _kms_key_for_write(self, request: ProxiedRequest) -> str | None:
        """The KMS key S3 would encrypt this write with, or None for no write or no KMS."""
        query = request.query
        writes = (request.method == "PUT" and ("partNumber" in query or not query)) or (
            request.method == "POST" and "uploads" in query
        )
        if not writes or request.header("x-amz-copy-source"):
            return None
        if request.header("x-amz-server-side-encryption") == "AES256":
            return None
        named = request.header("x-amz-server-side-encryption-aws-kms-key-id")
        with self._lock:
            return named or self._buckets.get(request.bucket)

    def _is_missing_key(self, request: ProxiedRequest, answer: ProxyAnswer) -> bool:
        """A 404 for the key, not for the bucket (a HEAD's answer has no body to say which)."""
        if request.method == "GET":
            return b"<Code>NoSuchKey</Code>" in answer.payload
        with self._lock:
            return request.bucket in self._buckets

    def _s3_unless(
        self,
        request: ProxiedRequest,
        principal: _Principal,
        action: str,
        resource: str,
        context: dict[str, str],
    ) -> ProxyAnswer | None:
        if self._allowed(request, principal, action, resource, context):
            return None
        return s3_error(403, "AccessDenied", _denial(principal, action, resource))

    # -- SSM -----------------------------------------------------------------------------------

    def _ssm_answer(self, request: ProxiedRequest, principal: _Principal) -> ProxyAnswer:
        operation = (request.header("X-Amz-Target") or "").rpartition(".")[2]
        action = f"ssm:{operation}"
        body = json.loads(request.body or b"{}")
        region = request.credential[1]
        parameter_arn = f"arn:aws:ssm:{region}:{self._account_id}:parameter"
        if operation == "GetParametersByPath":
            resources = [parameter_arn + body["Path"].rstrip("/")]
        elif "Names" in body:
            resources = [parameter_arn + _absolute(name) for name in body["Names"]]
        elif "Name" in body:
            resources = [parameter_arn + _absolute(body["Name"])]
        else:
            resources = ["*"]
        for resource in resources:
            if not self._allowed(request, principal, action, resource, {}):
                return _ssm_denied(_denial(principal, action, resource))
        answer = self.forward(self._as_admin(request))
        if answer.status != 200 or not body.get("WithDecryption"):
            return answer
        returned = json.loads(answer.payload)
        parameters = returned.get("Parameters", [returned.get("Parameter", {})])
        for parameter in parameters:
            if parameter.get("Type") != "SecureString":
                continue
            # moto encrypts each SecureString with the key it was put with; the stand-in puts
            # them with its secrets key, as infra/modules/secrets does. SSM names the
            # parameter in the encryption context, which policies may condition on.
            context = {
                **_via("ssm", region),
                "kms:EncryptionContext:PARAMETER_ARN": parameter_arn + parameter["Name"],
            }
            if not self._allowed(request, principal, "kms:Decrypt", self._secrets_key, context):
                return _ssm_denied(_denial(principal, "kms:Decrypt", self._secrets_key))
        return answer

    def _as_admin(self, request: ProxiedRequest) -> ProxiedRequest:
        """The same call signed by the administrator: moto would refuse the scoped grant."""
        signed = AWSRequest(
            method=request.method,
            url=self.upstream + request.path,
            data=request.body,
            headers={
                "Content-Type": request.header("Content-Type") or "application/x-amz-json-1.1",
                "X-Amz-Target": request.header("X-Amz-Target") or "",
            },
        )
        SigV4Auth(self._admin, "ssm", request.credential[1]).add_auth(signed)
        return ProxiedRequest(request.method, request.path, dict(signed.headers), request.body)

    # -- both ----------------------------------------------------------------------------------

    def _principal(self, request: ProxiedRequest) -> _Principal | None:
        with self._lock:
            return self._principals.get(request.credential[0])

    def _allowed(
        self,
        request: ProxiedRequest,
        principal: _Principal,
        action: str,
        resource: str,
        context: dict[str, str],
    ) -> bool:
        with self._lock:
            policies = list(principal.policies)
        if is_allowed(policies, action, resource, context):
            return True
        with self._lock:
            self.refusals.append(Refusal(request.method, request.bucket, request.key, action))
        return False


def _via(service: str, region: str) -> dict[str, str]:
    return {"kms:ViaService": f"{service}.{region}.amazonaws.com"}


def _absolute(name: str) -> str:
    return name if name.startswith("/") else f"/{name}"


def _denial(principal: _Principal, action: str, resource: str) -> str:
    return (
        f"User: {principal.arn} is not authorized to perform: {action} on resource: "
        f'"{resource}" because no identity-based policy allows the {action} action'
    )


def _ssm_denied(message: str) -> ProxyAnswer:
    body = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
    return ProxyAnswer(400, [("Content-Type", "application/x-amz-json-1.1")], body)
