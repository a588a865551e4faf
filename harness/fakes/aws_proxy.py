"""An HTTP proxy in front of an AWS endpoint (moto) that may answer a request itself or amend
the answer: the base of the S3 fault injector and of the IAM enforcement moto lacks."""

import http.client
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlparse

from harness.fakes.loopback import LoopbackServer

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding"}


@dataclass
class ProxiedRequest:
    """One request as the client sent it (S3 in path style, as boto3 addresses loopback)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def query(self) -> dict[str, str]:
        parsed = parse_qs(urlparse(self.path).query, keep_blank_values=True)
        return {name: values[0] for name, values in parsed.items()}

    @property
    def credential(self) -> tuple[str, str, str]:
        """(access key id, region, service) from the SigV4 Authorization header, or blanks."""
        authorization = self.header("Authorization") or ""
        scope = authorization.partition("Credential=")[2].partition(",")[0].split("/")
        return (scope[0], scope[2], scope[3]) if len(scope) >= 4 else ("", "", "")

    @property
    def bucket(self) -> str:
        return unquote(urlparse(self.path).path).lstrip("/").split("/", 1)[0]

    @property
    def key(self) -> str:
        parts = unquote(urlparse(self.path).path).lstrip("/").split("/", 1)
        return parts[1] if len(parts) > 1 else ""


@dataclass
class ProxyAnswer:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    payload: bytes = b""

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def s3_error(status: int, code: str, message: str) -> ProxyAnswer:
    """An error as S3 words it (XML)."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        "<RequestId>FAKE0000</RequestId></Error>"
    ).encode()
    return ProxyAnswer(status, [("Content-Type", "application/xml")], body)


class AwsProxy(LoopbackServer):
    """Forwards every request to `upstream`; subclasses override `answer` and `review`."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self._upstream = urlparse(upstream)
        super().__init__(self._handler())

    def answer(self, request: ProxiedRequest) -> ProxyAnswer | None:
        """An answer in upstream's place, or None to forward the request."""
        return None

    def review(self, request: ProxiedRequest, answer: ProxyAnswer) -> ProxyAnswer:
        """What the client gets for a forwarded request, given upstream's answer."""
        return answer

    def forward(self, request: ProxiedRequest) -> ProxyAnswer:
        skip = _HOP_BY_HOP | {"content-length"}
        headers = {k: v for k, v in request.headers.items() if k.lower() not in skip}
        connection = http.client.HTTPConnection(
            self._upstream.hostname, self._upstream.port, timeout=30
        )
        try:
            connection.request(request.method, request.path, request.body or None, headers)
            response = connection.getresponse()
            return ProxyAnswer(response.status, response.getheaders(), response.read())
        finally:
            connection.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive and Expect: 100-continue, as S3 has

            def _read_body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while size := int(self.rfile.readline().split(b";")[0], 16):
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    self.rfile.readline()
                    return b"".join(chunks)
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _handle(self) -> None:
                request = ProxiedRequest(
                    self.command, self.path, dict(self.headers), self._read_body()
                )
                answer = proxy.answer(request)
                if answer is None:
                    answer = proxy.review(request, proxy.forward(request))
                headers = [(k, v) for k, v in answer.headers if k.lower() not in _HOP_BY_HOP]
                # A HEAD answer keeps the object's length but carries no body.
                if self.command != "HEAD":
                    headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
                self.send_response(answer.status)
                for key, value in headers:
                    self.send_header(key, value)
                if not any(k.lower() == "content-length" for k, _ in headers):
                    self.send_header("Content-Length", str(len(answer.payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.payload)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

            def log_message(self, format: str, *args) -> None:
                pass

        return Handler
