"""Prefect's server as the server role and the embedded server run it, busy writes retried."""

import argparse
import asyncio
import socket
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn
from prefect.server.api import server as prefect_server
from prefect.settings import (
    PREFECT_SERVER_API_HOST,
    PREFECT_SERVER_API_KEEPALIVE_TIMEOUT,
    PREFECT_SERVER_API_PORT,
    PREFECT_SERVER_API_WEBSOCKET_PING_INTERVAL,
    PREFECT_SERVER_API_WEBSOCKET_PING_TIMEOUT,
    PREFECT_SERVER_LOGGING_LEVEL,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BUSY_WAITS_S = (0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0)
"""The server's own waits before it tries a request its database refused (a 503) again.

Prefect answers a write that lost SQLite's lock with a bare 503, and its client then waits 2,
4, 8, 16, 32 s: in a burst of 20 notes one waited 65 s at the gate for a write that would
have gone through a moment later (bench/README.md). The writes that collide are short, so the
first tries come within a tenth of a second. After about 4.5 s the 503 reaches the client,
whose own back-off is then left whole for a database that is really down or overloaded.
"""


class RetriesBusyDatabase:
    """ASGI middleware: a request answered 503 is tried again here before the client sees it.

    The same request Prefect's client would send again itself after the 503, only sooner.
    The request's body is read once and replayed to each try; lifespan and websockets pass
    through.
    """

    def __init__(self, app: ASGIApp, waits: tuple[float, ...] = BUSY_WAITS_S) -> None:
        self.app, self.waits = app, waits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _whole_body(receive)
        if body is None:
            return  # the client went away before it finished asking: nobody to answer
        for wait in (*self.waits, None):
            answer = _HeldIf503(send, hold=wait is not None)
            try:
                # A copy each time: routing writes into the scope (the mount's root path, say).
                await self.app(dict(scope), _replaying(body, receive), answer.send)
            except Exception:
                # Starlette raises the error again after its handler's answer, for the server
                # to log: an error whose 503 is held back is tried again instead.
                if not answer.held:
                    raise
            if not answer.held:
                return
            await asyncio.sleep(wait)


async def _whole_body(receive: Receive) -> bytes | None:
    """The request's body; None if the client went away before sending it all."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """`receive` for one try: the body, then the client's own messages (its disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class _HeldIf503:
    """The `send` of one try: the answer goes to the client unless it is a 503 to retry."""

    def __init__(self, send: Send, hold: bool) -> None:
        self._send, self._hold, self.held = send, hold, False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start" and self._hold and message["status"] == 503:
            self.held = True
        if not self.held:  # a held answer's body parts are dropped with it
            await self._send(message)


def create_app() -> RetriesBusyDatabase:
    """uvicorn's `--factory` entry: Prefect's app (configured from the environment), wrapped."""
    return RetriesBusyDatabase(prefect_server.create_app())


def _port(text: str) -> int:
    """A TCP port, or argparse's one-line error (uvicorn would fail after the migrations)."""
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port (0-65535): {text}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    """`prefect server start --host H --port P` in the foreground, with our middleware."""
    parser = argparse.ArgumentParser(
        prog="editorbot-prefect-server",
        description="Run Prefect's server (API, UI, services) in the foreground.",
    )
    parser.add_argument("--host", default=PREFECT_SERVER_API_HOST.value())
    parser.add_argument("--port", type=_port, default=PREFECT_SERVER_API_PORT.value())
    options = parser.parse_args(argv)
    # Checked before the app starts, as `prefect server start` does: uvicorn binds only after
    # the lifespan has migrated the database and started the services.
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            options.host, options.port, socket.AF_UNSPEC, socket.SOCK_STREAM
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:  # socket.gaierror included: an unknown host
        print(
            f"editorbot-prefect-server: cannot listen on {options.host}:{options.port}: "
            f"{error.strerror or error}",
            file=sys.stderr,
        )
        return 1
    uvicorn.run(
        app=RetriesBusyDatabase(prefect_server.create_app(final=True)),
        host=options.host,
        port=options.port,
        timeout_keep_alive=PREFECT_SERVER_API_KEEPALIVE_TIMEOUT.value(),
        ws_ping_interval=PREFECT_SERVER_API_WEBSOCKET_PING_INTERVAL.value(),
        ws_ping_timeout=PREFECT_SERVER_API_WEBSOCKET_PING_TIMEOUT.value(),
        log_level=PREFECT_SERVER_LOGGING_LEVEL.value().lower(),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
