"""An HTTP proxy in front of moto that answers S3's 503 SlowDown / 500 InternalError on demand."""

import http.client
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlparse

from harness.fakes.loopback import LoopbackServer

ERRORS = {
    503: ("SlowDown", "Please reduce your request rate."),
    500: ("InternalError", "We encountered an internal error. Please try again."),
}
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding"}


def error_xml(status: int) -> bytes:
    code, message = ERRORS[status]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        "<RequestId>FAKE0000</RequestId></Error>"
    ).encode()


class FaultyS3(LoopbackServer):
    """Forwards every request to `upstream` unless told to fail it.

    `fail_next(n)` answers the next n requests with errors (503 and 500 in turn);
    `fail_all()` answers every request so until `heal()`. `faults` counts the errors sent.
    """

    def __init__(self, upstream: str):
        self._upstream = urlparse(upstream)
        self._lock = threading.Lock()
        self._to_fail, self._failing = 0, False
        self.faults = 0
        super().__init__(self._handler())

    def fail_next(self, requests: int) -> None:
        with self._lock:
            self._to_fail = requests

    def fail_all(self) -> None:
        with self._lock:
            self._failing = True

    def heal(self) -> None:
        with self._lock:
            self._to_fail, self._failing = 0, False

    def _fault(self) -> int | None:
        """The status to answer instead of forwarding, if this request is to fail."""
        with self._lock:
            if not (self._failing or self._to_fail):
                return None
            self._to_fail = max(0, self._to_fail - 1)
            self.faults += 1
            return 503 if self.faults % 2 else 500

    def _forward(self, method: str, path: str, headers: dict, body: bytes):
        connection = http.client.HTTPConnection(
            self._upstream.hostname, self._upstream.port, timeout=30
        )
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
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
                body = self._read_body()
                status = proxy._fault()
                if status is not None:
                    payload, headers = error_xml(status), [("Content-Type", "application/xml")]
                else:
                    skip = _HOP_BY_HOP | {"content-length"}
                    forwarded = {k: v for k, v in self.headers.items() if k.lower() not in skip}
                    status, headers, payload = proxy._forward(
                        self.command, self.path, forwarded, body
                    )
                    # A HEAD answer keeps the object's length but carries no body.
                    if self.command != "HEAD":
                        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
                    headers = [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP]
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                if not any(k.lower() == "content-length" for k, _ in headers):
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

            def log_message(self, format: str, *args) -> None:
                pass

        return Handler
