"""Our Prefect server's 503s carry `Retry-After: 1`, and Prefect's own client waits that long."""

import asyncio
import contextlib
import logging
import re
from collections.abc import Iterator

import httpx
from prefect.client.base import PrefectHttpxAsyncClient
from prefect.settings import PREFECT_CLIENT_RETRY_JITTER_FACTOR, temporary_settings
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from shells.prefect_server import RETRY_AFTER_SECONDS, RetryAfterOn503


def tiny_app() -> Starlette:
    async def unavailable(request):
        return PlainTextResponse("database is locked", status_code=503)

    async def unavailable_for_a_while(request):
        return PlainTextResponse("later", status_code=503, headers={"Retry-After": "7"})

    async def fine(request):
        return PlainTextResponse("ok")

    tries = []

    async def flaky(request):
        """503 the first time, as a write that lost SQLite's lock; 200 after."""
        tries.append(request)
        if len(tries) == 1:
            return PlainTextResponse("database is locked", status_code=503)
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/unavailable", unavailable),
            Route("/unavailable-for-a-while", unavailable_for_a_while),
            Route("/fine", fine),
            Route("/flaky", flaky, methods=["POST"]),
        ]
    )


async def get_all(app, *paths: str) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://server") as client:
        return [await client.get(path) for path in paths]


def test_a_503_gets_retry_after_and_other_answers_keep_their_headers():
    bare, own, fine = asyncio.run(
        get_all(RetryAfterOn503(tiny_app()), "/unavailable", "/unavailable-for-a-while", "/fine")
    )
    assert bare.status_code == 503 and bare.headers["retry-after"] == "1"
    assert bare.text == "database is locked"  # the body passes through untouched
    assert own.status_code == 503 and own.headers.get_list("retry-after") == ["7"]
    assert fine.status_code == 200 and "retry-after" not in fine.headers


def test_without_the_middleware_the_503_has_no_retry_after():
    (bare,) = asyncio.run(get_all(tiny_app(), "/unavailable"))
    assert bare.status_code == 503 and "retry-after" not in bare.headers


@contextlib.contextmanager
def prefect_client_waits() -> Iterator[list[float]]:
    """The waits Prefect's client announces before each retry, read from its debug log."""
    waits: list[float] = []

    class Waits(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found = re.search(r"Another attempt will be made in ([0-9.]+)s", record.getMessage())
            if found:
                waits.append(float(found[1]))

    # Prefect's own logger in prefect/client/base.py; it does not propagate to pytest's root.
    logger, handler = logging.getLogger("prefect.client"), Waits()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        # Prefect's default, pinned: the bounds below are worked out from it.
        with temporary_settings({PREFECT_CLIENT_RETRY_JITTER_FACTOR: 0.2}):
            yield waits
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def post_through_prefect_client(app) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with PrefectHttpxAsyncClient(transport=transport, base_url="http://server") as client:
        return await client.post("/flaky")


def test_prefect_client_retries_after_our_second_not_its_backoff():
    # With Retry-After: 1, Prefect's client waits between 1 and 1 * (1 + jitter) = 1.2 s.
    with prefect_client_waits() as waits:
        answer = asyncio.run(post_through_prefect_client(RetryAfterOn503(tiny_app())))
    assert answer.status_code == 200
    (wait,) = waits
    assert RETRY_AFTER_SECONDS <= wait <= RETRY_AFTER_SECONDS * 1.2


def test_without_our_header_prefect_client_backs_off_two_seconds():
    # The contrast: its first backoff is 2**1 s with jitter clamped to about [1.65, 2.4] s,
    # which never reaches the header's 1.2 s ceiling.
    with prefect_client_waits() as waits:
        answer = asyncio.run(post_through_prefect_client(tiny_app()))
    assert answer.status_code == 200
    (wait,) = waits
    assert 1.6 <= wait <= 2.4
