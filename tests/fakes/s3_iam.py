"""A proxy in front of moto's S3 that enforces what AWS enforces and moto, with IAM on, does not.

moto (authentication on) checks each request's signature and its action and resource
against the caller's policies. It leaves out, and this proxy adds, for the principals
registered with `grant`:

- conditions: `s3:ListBucket` is refused unless a statement allows it for the request's
  `s3:prefix` (a listing without a prefix carries none), as the instance role's
  `ListOnlyAppPrefixes` is written;
- a missing key: a GET or HEAD of a key that does not exist is answered 403, not 404,
  unless the caller may list the bucket, and a GET carries no `s3:prefix`;
- SSE-KMS through S3: writing to a bucket encrypted with a KMS key needs
  `kms:GenerateDataKey` on that key (a multipart upload also `kms:Decrypt`), reading an
  object encrypted with one needs `kms:Decrypt`, each with `kms:ViaService` =
  `s3.<region>.amazonaws.com`.
"""

import threading
from typing import Any, NamedTuple

from tests.fakes.iam_evaluation import is_allowed
from tests.fakes.s3_proxy import S3Answer, S3Proxy, S3Request, error_answer


class Refusal(NamedTuple):
    method: str
    bucket: str
    key: str
    action: str


class _Principal:
    def __init__(self, arn: str) -> None:
        self.arn = arn
        self.policies: list[dict[str, Any]] = []


class IamEnforcingS3(S3Proxy):
    """`grant(access_key_id, arn, policy)` registers a caller's policies; `add_bucket(name,
    kms_key_arn)` a bucket made upstream, with its default KMS key (or None). Other callers
    pass through to moto as they are. `refusals` lists the requests refused here."""

    def __init__(self, upstream: str) -> None:
        self._lock = threading.Lock()
        self._principals: dict[str, _Principal] = {}
        self._buckets: dict[str, str | None] = {}
        self.refusals: list[Refusal] = []
        super().__init__(upstream)

    def grant(self, access_key_id: str, arn: str, policy: dict[str, Any]) -> None:
        with self._lock:
            principal = self._principals.setdefault(access_key_id, _Principal(arn))
            principal.policies.append(policy)

    def add_bucket(self, name: str, kms_key_arn: str | None) -> None:
        with self._lock:
            self._buckets[name] = kms_key_arn

    # -- the decisions -------------------------------------------------------------------------

    def answer(self, request: S3Request) -> S3Answer | None:
        principal, region = self._caller(request)
        if principal is None or not request.bucket:
            return None
        bucket_arn = f"arn:aws:s3:::{request.bucket}"
        query = request.query
        if not request.key:
            if request.method == "HEAD" or (
                request.method == "GET" and ("list-type" in query or not query)
            ):
                # HeadBucket is authorized as s3:ListBucket, with no s3:prefix.
                context = {"s3:prefix": query["prefix"]} if "prefix" in query else {}
                return self._unless_allowed(
                    request, principal, "s3:ListBucket", bucket_arn, context
                )
            if request.method == "GET" and "versions" in query:
                context = {"s3:prefix": query["prefix"]} if "prefix" in query else {}
                action = "s3:ListBucketVersions"
                return self._unless_allowed(request, principal, action, bucket_arn, context)
            return None
        key_arn = self._kms_key_for_write(request)
        if key_arn is not None:
            needed = ["kms:GenerateDataKey"]
            if request.method == "POST" and "uploads" in query:
                needed.append("kms:Decrypt")  # S3 reads the encrypted parts to complete
            for action in needed:
                refusal = self._unless_allowed(request, principal, action, key_arn, _via_s3(region))
                if refusal is not None:
                    return refusal
        return None

    def review(self, request: S3Request, answer: S3Answer) -> S3Answer:
        principal, region = self._caller(request)
        if principal is None or not request.key or request.method not in ("GET", "HEAD"):
            return answer
        if answer.status == 404 and self._is_missing_key(request, answer):
            bucket_arn = f"arn:aws:s3:::{request.bucket}"
            refusal = self._unless_allowed(request, principal, "s3:ListBucket", bucket_arn, {})
            return refusal or answer
        if (
            request.method == "GET"
            and answer.status in (200, 206)
            and answer.header("x-amz-server-side-encryption") == "aws:kms"
        ):
            key_arn = answer.header("x-amz-server-side-encryption-aws-kms-key-id") or ""
            refusal = self._unless_allowed(
                request, principal, "kms:Decrypt", key_arn, _via_s3(region)
            )
            return refusal or answer
        return answer

    # -- the pieces ----------------------------------------------------------------------------

    def _caller(self, request: S3Request) -> tuple[_Principal | None, str]:
        authorization = request.header("Authorization") or ""
        credential = authorization.partition("Credential=")[2].partition(",")[0].split("/")
        if len(credential) < 3:
            return None, ""
        with self._lock:
            return self._principals.get(credential[0]), credential[2]

    def _kms_key_for_write(self, request: S3Request) -> str | None:
        """The KMS key S3 would encrypt this write with, or None for no write or no KMS."""
        query = request.query
        writes = (request.method == "PUT" and ("partNumber" in query or not query)) or (
            request.method == "POST" and "uploads" in query
        )
        if not writes or request.header("x-amz-copy-source"):
            return None
        algorithm = request.header("x-amz-server-side-encryption")
        if algorithm == "AES256":
            return None
        named = request.header("x-amz-server-side-encryption-aws-kms-key-id")
        with self._lock:
            return named or self._buckets.get(request.bucket)

    def _is_missing_key(self, request: S3Request, answer: S3Answer) -> bool:
        """A 404 for the key, not for the bucket (a HEAD's answer has no body to say which)."""
        if request.method == "GET":
            return b"<Code>NoSuchKey</Code>" in answer.payload
        with self._lock:
            return request.bucket in self._buckets

    def _unless_allowed(
        self,
        request: S3Request,
        principal: _Principal,
        action: str,
        resource: str,
        context: dict[str, str],
    ) -> S3Answer | None:
        with self._lock:
            policies = list(principal.policies)
        if is_allowed(policies, action, resource, context):
            return None
        with self._lock:
            self.refusals.append(Refusal(request.method, request.bucket, request.key, action))
        return error_answer(
            403,
            "AccessDenied",
            f"User: {principal.arn} is not authorized to perform: {action} on resource: "
            f'"{resource}" because no identity-based policy allows the {action} action',
        )


def _via_s3(region: str) -> dict[str, str]:
    return {"kms:ViaService": f"s3.{region}.amazonaws.com"}
