"""Artifact storage: one seam, a filesystem and an S3 implementation, the same keys in both."""

import os
import tempfile
from abc import ABC, abstractmethod
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

from editorbot.errors import AlreadyPublished
from editorbot.layout import PREFIXES, check_in_layout
from editorbot.run_key import check_run_key
from editorbot.settings import Settings, check_s3_storage_url, get_settings


def raw_audio_key(run_key: str, ext: str) -> str:
    return f"{PREFIXES['audio_raw']}{check_run_key(run_key)}.{ext}"


def cleaned_audio_key(run_key: str) -> str:
    return f"{PREFIXES['audio_cleaned']}{check_run_key(run_key)}.wav"


def subtitles_key(run_key: str, fmt: str) -> str:
    return f"{PREFIXES['subtitles']}{check_run_key(run_key)}.{fmt}"


def draft_key(run_key: str, name: str) -> str:
    return f"{PREFIXES['drafts']}{check_run_key(run_key)}/{name}"


def script_key(run_key: str, ext: str) -> str:
    return f"{PREFIXES['scripts']}{check_run_key(run_key)}.{ext}"


def preferences_key(user_id: int) -> str:
    return f"{PREFIXES['preferences']}{int(user_id)}.json"


# Where a run's own artifacts are, each under `<prefix><run_key>`.
ARTIFACT_PREFIXES = tuple(
    PREFIXES[area]
    for area in (
        "audio_raw", "audio_cleaned", "subtitles", "drafts", "scripts", "video_short", "video_long"
    )
)  # fmt: skip


def video_key(run_key: str, shelf: str, name: str) -> str:
    """A render's file: `video/short/<run_key>/<name>` (shelf "short") or `video/long/…`."""
    return f"{PREFIXES['video_' + shelf]}{check_run_key(run_key)}/{name}"


class Storage(ABC):
    """A flat key → bytes store; keys use `/`, never start with it, and lie in the layout.

    Every method refuses a key (or listing prefix) outside editorbot/layout.json with
    OutsideLayout, on disk as in S3, so a test run on files catches what the containers' roles
    would refuse on the VM.
    """

    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """Write `data` at `key`, replacing what was there."""

    @abstractmethod
    def get(self, key: str) -> bytes:
        """Read `key`; raises KeyError when absent."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def list(self, prefix: str) -> list[str]:
        """Every key starting with `prefix` (itself inside the layout), sorted."""

    @abstractmethod
    def location(self, key: str) -> str:
        """Where a person finds `key` (a path or an s3:// URL)."""

    def link(self, key: str, expires_s: int = 7 * 86400) -> str:
        """What to hand a person so they can fetch `key`: here, where it is."""
        return self.location(key)

    def put_once(
        self, key: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> None:
        """Write `key` unless it holds other bytes: a repeat is harmless, a change refused."""
        if self.exists(key):
            if self.get(key) == data:
                return
            raise AlreadyPublished(
                f"{self.location(key)} was already published with different content; "
                "it is left as it was."
            )
        self.put(key, data, content_type)


def _safe_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a storage key: {key!r}")
    return check_in_layout(key)


def _safe_prefix(prefix: str) -> str:
    """A listing prefix: inside one prefix of the layout, as s3:ListBucket is granted."""
    if ".." in prefix.split("/"):
        raise ValueError(f"not a storage prefix: {prefix!r}")
    return check_in_layout(prefix)


class FileStorage(Storage):
    """Artifacts as files under one directory, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        return self.root / _safe_key(key)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # A reader must never see half a file: write aside, then rename over.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str) -> list[str]:
        _safe_prefix(prefix)
        if not self.root.is_dir():
            return []
        keys = (
            p.relative_to(self.root).as_posix()
            for p in self.root.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        )
        return sorted(k for k in keys if k.startswith(prefix) and not k.startswith("."))

    def location(self, key: str) -> str:
        return str(self._path(key))


class S3Storage(Storage):
    """Artifacts as objects at the root of `s3://bucket/`, where the layout's prefixes are."""

    def __init__(self, bucket: str, client=None) -> None:
        import boto3

        self.bucket = bucket
        self.client = client or boto3.client("s3")

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=_safe_key(key), Body=data, ContentType=content_type
        )

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=_safe_key(key))
        except ClientError as error:
            code = error.response["Error"]["Code"]
            # The runner and bot roles list the bucket only under the layout's prefixes (an
            # s3:prefix condition), which a GET does not carry: for a key that does not
            # exist S3 answers AccessDenied, not NoSuchKey. Absence is confirmed by a
            # listing; a denial on a key that exists stays the error it is.
            if code == "NoSuchKey" or (code == "AccessDenied" and not self.exists(key)):
                raise KeyError(key) from None
            raise
        return response["Body"].read()

    def exists(self, key: str) -> bool:
        # A listing under the key itself, not a HEAD: the role may list there, and a HEAD of
        # a missing key is answered 403 like a denial. The key sorts first among the keys it
        # prefixes, so one result says whether it is there.
        object_key = _safe_key(key)
        listed = self.client.list_objects_v2(Bucket=self.bucket, Prefix=object_key, MaxKeys=1)
        return any(obj["Key"] == object_key for obj in listed.get("Contents", []))

    def list(self, prefix: str) -> list[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        keys = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=_safe_prefix(prefix)):
            keys.extend(obj["Key"] for obj in page.get("Contents", []))
        return sorted(keys)

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{_safe_key(key)}"

    def link(self, key: str, expires_s: int = 7 * 86400) -> str:
        """A presigned HTTPS URL: the bucket stays private, the link expires."""
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self._key(key)}, ExpiresIn=expires_s
        )


_TRANSIENT_S3_CODES = {"500", "502", "503", "504", "SlowDown", "Throttling", "RequestTimeout"}


def is_transient(error: BaseException) -> bool:
    """S3's throttling, timeouts and 5xx, and connections that failed; never a refusal."""
    from botocore.exceptions import ClientError
    from botocore.exceptions import ConnectionError as BotoConnectionError

    if isinstance(error, BotoConnectionError):
        return True
    if isinstance(error, ClientError):
        response = error.response
        code = str(response.get("Error", {}).get("Code", ""))
        status = str(response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
        return code in _TRANSIENT_S3_CODES or status.startswith("5")
    return False


def open_storage(url: str, s3_endpoint_url: str | None = None) -> Storage:
    """The storage named by `url`: `file://DIR` (relative DIR allowed) or `s3://bucket`."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return FileStorage(Path(parsed.netloc + parsed.path))
    if parsed.scheme == "s3":
        return S3Storage(check_s3_storage_url(url), _s3_client(s3_endpoint_url))
    raise ValueError(f"storage must be file://DIR or s3://bucket, not {url!r}")


@cache
def _s3_client(endpoint_url: str | None):
    """One client per endpoint and process: creating one costs more than most requests."""
    import boto3

    return boto3.client("s3", endpoint_url=endpoint_url)


def configured_storage(settings: Settings | None = None) -> Storage:
    """The storage the settings name, as tasks use it."""
    settings = settings or get_settings()
    return open_storage(settings.storage, settings.s3_endpoint_url)
