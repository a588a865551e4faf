"""A loopback HTTP server that answers from a scripted queue and records every request."""

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from harness.fakes.loopback import LoopbackServer


@dataclass
class Scripted:
    """One canned answer: status, JSON body, and an optional delay before it is sent."""

    status: int
    body: Any
    delay_s: float = 0.0


@dataclass
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    match: dict[str, str] = field(default_factory=dict)


class ScriptedServer(LoopbackServer):
    """Serves POSTs to `route` from a queue of `Scripted` answers; `gate` may refuse first.

    `gate(request)` returns a `Scripted` to answer instead of the queue (a refused key, say),
    or None to let the queue answer. An empty queue answers 400 so a test sees its mistake.
    """

    def __init__(self, route: str, gate: Callable[[Received], Scripted | None] | None = None):
        self._route = re.compile(route)
        self._gate = gate or (lambda request: None)
        self._script: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self.received: list[Received] = []
        super().__init__(self._handler())

    def queue(self, *answers: Scripted) -> None:
        with self._lock:
            self._script.extend(answers)

    @property
    def pending(self) -> int:
        return len(self._script)

    def _answer(self, request: Received) -> Scripted:
        with self._lock:
            self.received.append(request)
            gated = self._gate(request)
            if gated is not None:
                return gated
            if not self._script:
                return Scripted(400, {"error": {"message": "the fake has no answer scripted"}})
            return self._script.popleft()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                match = server._route.fullmatch(self.path.split("?", 1)[0])
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if match is None:
                    self._send(Scripted(404, {"error": {"message": f"no route {self.path}"}}))
                    return
                request = Received(
                    method="POST",
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=json.loads(raw) if raw else None,
                    match=match.groupdict(),
                )
                self._send(server._answer(request))

            def _send(self, answer: Scripted) -> None:
                if answer.delay_s:
                    time.sleep(answer.delay_s)
                payload = json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json; charset=UTF-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output to the tests' own

        return Handler
