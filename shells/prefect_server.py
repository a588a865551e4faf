"""Prefect's server as the server role and the embedded server run it: 503s say when to retry."""

import argparse
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

# Prefect answers a write that lost SQLite's lock with a bare 503, and its client then backs
# off 2, 4, 8, 16, 32 s: a note waited 65 s for a write that would have gone through a second
# later. The writes that collide are short (a state, a batch of logs), so one second lets the
# one ahead finish, yet spaces a client's tries (Prefect adds up to 20% jitter) so a busy
# server is not hammered.
RETRY_AFTER_SECONDS = 1


class RetryAfterOn503:
    """ASGI middleware: a 503 without `Retry-After` gets `Retry-After: RETRY_AFTER_SECONDS`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websockets have no status to amend
            await self.app(scope, receive, send)
            return

        async def send_with_retry_after(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 503:
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"retry-after" for name, _ in headers):
                    headers.append((b"retry-after", str(RETRY_AFTER_SECONDS).encode()))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_retry_after)


def create_app() -> RetryAfterOn503:
    """uvicorn's `--factory` entry: Prefect's app (configured from the environment), wrapped."""
    return RetryAfterOn503(prefect_server.create_app())


def main(argv: list[str] | None = None) -> int:
    """`prefect server start --host H --port P` in the foreground, with our middleware."""
    parser = argparse.ArgumentParser(
        prog="editorbot-prefect-server",
        description="Run Prefect's server (API, UI, services) in the foreground.",
    )
    parser.add_argument("--host", default=PREFECT_SERVER_API_HOST.value())
    parser.add_argument("--port", type=int, default=PREFECT_SERVER_API_PORT.value())
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
        app=RetryAfterOn503(prefect_server.create_app(final=True)),
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
