"""Our Prefect server tries a request its database refused (503) again before the client sees it."""

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy.exc
from prefect.client.base import PrefectHttpxAsyncClient
from prefect.server.api.server import create_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from shells.prefect_server import BUSY_WAITS_S, RetriesBusyDatabase, main

NO_WAITS = (0.0,) * len(BUSY_WAITS_S)  # the same number of tries, without the test waiting


class DatabaseLocked(Exception):
    pass


def api(busy_tries: int, bodies: list[bytes]) -> Starlette:
    """Prefect's shape: routes mounted under /api, and a handler that answers a database
    error 503, after which Starlette raises the error again. `/api/write` fails so
    `busy_tries` times (a write that lost SQLite's lock), then answers 200."""

    async def write(request: Request) -> PlainTextResponse:
        bodies.append(await request.body())
        if len(bodies) <= busy_tries:
            raise DatabaseLocked("database is locked")
        return PlainTextResponse("written")

    async def unavailable(request: Request, error: Exception) -> PlainTextResponse:
        return PlainTextResponse("Service Unavailable", status_code=503)

    async def fine(request: Request) -> PlainTextResponse:
        bodies.append(await request.body())
        return PlainTextResponse("ok")

    routes = [Route("/write", write, methods=["POST"]), Route("/fine", fine, methods=["POST"])]
    return Starlette(
        routes=[Mount("/api", routes=routes)], exception_handlers={Exception: unavailable}
    )


async def post(app, path: str, body: bytes, client_class=httpx.AsyncClient) -> httpx.Response:
    # As uvicorn, the error raised after the 503 was sent is the server's to log, not an answer.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with client_class(transport=transport, base_url="http://server") as client:
        return await client.post(path, content=body)


def test_a_busy_write_is_tried_again_with_its_body_until_it_goes_through():
    bodies: list[bytes] = []
    app = RetriesBusyDatabase(api(busy_tries=3, bodies=bodies), NO_WAITS)
    answer = asyncio.run(post(app, "/api/write", b'{"state": "Suspended"}'))
    assert answer.status_code == 200 and answer.text == "written"
    # Each try routed through the mount again and read the whole body.
    assert bodies == [b'{"state": "Suspended"}'] * 4


def test_a_write_still_refused_after_every_try_reaches_the_client_as_503():
    bodies: list[bytes] = []
    app = RetriesBusyDatabase(api(busy_tries=100, bodies=bodies), NO_WAITS)
    answer = asyncio.run(post(app, "/api/write", b"{}"))
    assert answer.status_code == 503 and answer.text == "Service Unavailable"
    assert "retry-after" not in answer.headers  # the client's own back-off from here
    assert len(bodies) == len(BUSY_WAITS_S) + 1


def test_other_answers_go_through_on_the_first_try():
    bodies: list[bytes] = []
    app = RetriesBusyDatabase(api(busy_tries=0, bodies=bodies), NO_WAITS)
    fine = asyncio.run(post(app, "/api/fine", b"x"))
    missing = asyncio.run(post(app, "/api/nowhere", b""))
    assert fine.status_code == 200 and bodies == [b"x"]
    assert missing.status_code == 404


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
        yield waits
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_prefect_client_gets_its_answer_without_backing_off():
    with prefect_client_waits() as waits:
        app = RetriesBusyDatabase(api(busy_tries=2, bodies=[]), NO_WAITS)
        answer = asyncio.run(post(app, "/api/write", b"{}", PrefectHttpxAsyncClient))
    assert answer.status_code == 200 and waits == []


def test_without_it_prefect_client_backs_off_two_seconds_per_busy_write():
    with prefect_client_waits() as waits:
        answer = asyncio.run(
            post(api(busy_tries=1, bodies=[]), "/api/write", b"{}", PrefectHttpxAsyncClient)
        )
    assert answer.status_code == 200
    (wait,) = waits  # 2**1 s, with Prefect's jitter
    assert wait >= 1.5


def test_prefects_own_503_for_a_locked_database_is_tried_again():
    """Prefect's app itself, not a stand-in: its handler answers SQLite's lock error 503 and
    raises it again. One route of its API fails so twice; through the middleware it answers."""
    app = create_app(ephemeral=True, ignore_cache=True)
    (api,) = [route.app for route in app.routes if getattr(route, "path", "") == "/api"]
    tries = []

    async def locked_twice() -> dict:
        tries.append(1)
        if len(tries) <= 2:
            lost = sqlite3.OperationalError("database is locked")
            raise sqlalchemy.exc.OperationalError("UPDATE flow_run", {}, lost)
        return {"written": True}

    api.add_api_route("/editorbot-test/locked-twice", locked_twice, methods=["POST"])
    bare = asyncio.run(post(app, "/api/editorbot-test/locked-twice", b"{}"))
    assert bare.status_code == 503 and "retry-after" not in bare.headers
    tries.clear()
    answer = asyncio.run(
        post(RetriesBusyDatabase(app, NO_WAITS), "/api/editorbot-test/locked-twice", b"{}")
    )
    assert answer.status_code == 200 and answer.json() == {"written": True}
    assert len(tries) == 3


def test_a_port_out_of_range_is_one_sentence_before_anything_starts(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--port", "99999"])
    assert stopped.value.code == 2
    assert "not a port (0-65535): 99999" in capsys.readouterr().err
