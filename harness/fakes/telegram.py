"""A fake Telegram Bot API on loopback: the real HTTP shapes, updates the test pushes, a log.

It serves `/bot<token>/<method>` and `/file/bot<token>/<path>` like api.telegram.org, so the
real python-telegram-bot `Application` (and the tasks' `Bot`) talk to it unchanged through
`base_url` / `base_file_url`. Every call is recorded for the test to assert on.
"""

import asyncio
import html.parser
import itertools
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, ClassVar

from aiohttp import web

BOT_USER = {"id": 999000, "is_bot": True, "first_name": "EditorBot", "username": "editor_bot"}
_MESSAGE_IDS = itertools.count(100)
"""Shared by every fake in the process, so run keys (chat-message) never repeat in a session."""
_INT_PARAMS = {
    "chat_id", "message_id", "offset", "timeout", "limit", "user_id", "width", "height", "duration",
}  # fmt: skip
UPLOAD_LIMIT = 50 * 1024 * 1024
"""The largest file a bot may upload to api.telegram.org; past it, Telegram answers 413."""
_JSON_PARAMS = {"reply_markup", "commands", "allowed_updates", "scope"}


@dataclass
class Call:
    """One request the bot made: the method and its decoded parameters."""

    method: str
    params: dict[str, Any]
    result: Any = None
    at: float = field(default_factory=time.monotonic)

    @property
    def refused(self) -> bool:
        """Whether the fake answered this call with an error instead of doing it."""
        return isinstance(self.result, dict) and "error" in self.result


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    path: str
    data: bytes


class _Entities(html.parser.HTMLParser):
    """Telegram's reading of parse_mode=HTML: plain text plus bold/italic entities."""

    KINDS: ClassVar[dict[str, str]] = {
        "b": "bold",
        "strong": "bold",
        "i": "italic",
        "em": "italic",
        "code": "code",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text, self.entities, self._open = "", [], []

    def _offset(self) -> int:  # Telegram counts UTF-16 code units
        return len(self.text.encode("utf-16-le")) // 2

    def handle_starttag(self, tag, attrs) -> None:
        self._open.append((tag, self._offset()))

    def handle_endtag(self, tag) -> None:
        opened, start = self._open.pop()
        if opened in self.KINDS and self._offset() > start:
            length = self._offset() - start
            self.entities.append({"type": self.KINDS[opened], "offset": start, "length": length})

    def handle_data(self, data) -> None:
        self.text += data


def parse_html(text: str) -> tuple[str, list[dict]]:
    parser = _Entities()
    parser.feed(text)
    parser.close()
    return parser.text, parser.entities


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


@dataclass
class Fault:
    """Errors still to answer for one method, and Telegram's flood wait once a 429 is sent."""

    times: int
    status: int
    retry_after: int
    flood_until: float = 0.0


class FakeTelegram:
    """The Bot API for one bot, on 127.0.0.1 and a free port, served from its own thread."""

    def __init__(self, token: str, upload_limit: int = UPLOAD_LIMIT) -> None:
        self.token = token
        self.upload_limit = upload_limit
        self.calls: list[Call] = []
        self.files: dict[str, StoredFile] = {}
        self._faults: dict[str, Fault] = {}
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = _MESSAGE_IDS
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._new_update: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._serve, name="fake-telegram", daemon=True)
        self._ready = threading.Event()
        self.port = 0

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> "FakeTelegram":
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fake Telegram server did not start")
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        # Room for a request past the upload limit, so the fake can refuse it as Telegram does.
        app = web.Application(client_max_size=UPLOAD_LIMIT + 16 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = runner.addresses[0][1]  # the port the OS picked for port 0
        self._new_update = asyncio.Event()
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- what the test does ------------------------------------------------------------------

    def add_file(self, file_id: str, file_unique_id: str, data: bytes, path: str) -> StoredFile:
        stored = StoredFile(file_id, file_unique_id, path, data)
        self.files[file_id] = stored
        return stored

    def next_message_id(self) -> int:
        return next(self._message_ids)

    def push(self, update: dict) -> dict:
        """Queue an update for getUpdates; assigns its update_id."""
        update = {"update_id": next(self._update_ids), **update}

        def append() -> None:
            self._updates.append(update)
            self._new_update.set()

        self._loop.call_soon_threadsafe(append)
        return update

    def fail_next(
        self, method: str, times: int = 1, status: int = 429, retry_after: int = 1
    ) -> None:
        """Answer the next `times` calls to `method` with an error, as Telegram does.

        A 429 carries `parameters.retry_after`, and like Telegram's flood control every call to
        `method` before that many seconds have passed is refused too (with the time left), so
        a client that retries early collects extra refusals (see `refusals`).
        """
        with self._changed:
            self._faults[method] = Fault(times, status, retry_after)

    def refusals(self, method: str) -> list[Call]:
        """The calls to `method` answered with an error."""
        return [c for c in self.calls_to(method) if c.refused]

    def _refusal(self, method: str) -> ApiError | None:
        """The error an injected fault answers this call with, if any."""
        with self._changed:
            fault = self._faults.get(method)
            if fault is None:
                return None
            now = time.monotonic()
            if now < fault.flood_until:
                wait = math.ceil(fault.flood_until - now)
            elif fault.times > 0:
                fault.times -= 1
                if fault.status != 429:
                    return ApiError(fault.status, HTTPStatus(fault.status).phrase)
                wait = fault.retry_after
                fault.flood_until = now + wait
            else:
                return None
        return ApiError(
            429, f"Too Many Requests: retry after {wait}", parameters={"retry_after": wait}
        )

    def calls_to(self, method: str) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def wait_for(
        self, predicate: Callable[[Call], bool], timeout: float = 120, count: int = 1
    ) -> list[Call]:
        """Block until `count` recorded calls satisfy `predicate`; returns them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if predicate(c)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    methods = [(c.method, c.params.get("text", "")[:60]) for c in self.calls]
                    raise TimeoutError(f"waited {timeout}s; calls so far: {methods}")
                self._changed.wait(min(left, 0.5))

    # -- the HTTP API -----------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        params: dict[str, Any] = {}
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                params[name] = {"filename": value.filename, "data": value.file.read()}
            elif name in _INT_PARAMS:
                params[name] = int(value)
            elif name in _JSON_PARAMS:
                params[name] = json.loads(value)
            else:
                params[name] = value
        return params

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await self._params(request)
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        try:
            refusal = self._refusal(method) or self._too_large(params)
            if refusal is not None:
                raise refusal
            result = await handler(params)
        except ApiError as error:
            self._record(Call(method, params, {"error": error.description}))
            answer = {"ok": False, "error_code": error.code, "description": error.description}
            if error.parameters:
                answer["parameters"] = error.parameters
            return web.json_response(answer, status=error.code)
        if method != "getUpdates":
            self._record(Call(method, params, result))
        return web.json_response({"ok": True, "result": result})

    def _too_large(self, params: dict[str, Any]) -> ApiError | None:
        """Telegram's answer to an upload over the bot limit (python-telegram-bot raises it as
        a NetworkError)."""
        uploads = [v for v in params.values() if isinstance(v, dict) and "data" in v]
        if any(len(upload["data"]) > self.upload_limit for upload in uploads):
            return ApiError(413, "Request Entity Too Large")
        return None

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        self._record(Call("file", {"path": path}))
        for stored in self.files.values():
            if stored.path == path:
                return web.Response(body=stored.data)
        return web.Response(status=404)

    def _message(self, chat_id: int, **content: Any) -> dict:
        return {
            "message_id": self.next_message_id(),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            **content,
        }

    async def _getMe(self, params: dict) -> dict:
        return {**BOT_USER, "can_join_groups": False, "supports_inline_queries": False}

    async def _deleteWebhook(self, params: dict) -> bool:
        return True

    async def _setMyCommands(self, params: dict) -> bool:
        return True

    async def _answerCallbackQuery(self, params: dict) -> bool:
        return True

    async def _getUpdates(self, params: dict) -> list[dict]:
        offset = params.get("offset", 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), float(params.get("timeout", 0)))
            except TimeoutError:
                return []
        return [u for u in self._updates if u["update_id"] >= offset]

    async def _getFile(self, params: dict) -> dict:
        stored = self.files.get(params["file_id"])
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.path,
        }

    def _text(self, params: dict) -> dict:
        if params.get("parse_mode") != "HTML":
            return {"text": params["text"]}
        text, entities = parse_html(params["text"])
        return {"text": text, "entities": entities} if entities else {"text": text}

    async def _sendMessage(self, params: dict) -> dict:
        extra = {"reply_markup": params["reply_markup"]} if "reply_markup" in params else {}
        return self._message(params["chat_id"], **self._text(params), **extra)

    async def _editMessageText(self, params: dict) -> dict:
        extra = {"reply_markup": params["reply_markup"]} if "reply_markup" in params else {}
        message = self._message(params["chat_id"], **self._text(params), **extra)
        message["message_id"] = params["message_id"]
        return message

    async def _editMessageReplyMarkup(self, params: dict) -> dict:
        message = self._message(params["chat_id"], text="")
        message["message_id"] = params["message_id"]
        return message

    async def _sendDocument(self, params: dict) -> dict:
        document = params["document"]
        return self._message(
            params["chat_id"],
            document={
                "file_id": f"doc-{document['filename']}",
                "file_unique_id": f"udoc-{document['filename']}",
                "file_name": document["filename"],
                "file_size": len(document["data"]),
            },
        )

    async def _sendVideo(self, params: dict) -> dict:
        video = params["video"]
        content = {
            "video": {
                "file_id": f"video-{video['filename']}",
                "file_unique_id": f"uvideo-{video['filename']}",
                "file_name": video["filename"],
                "file_size": len(video["data"]),
                "width": params.get("width", 0),
                "height": params.get("height", 0),
                "duration": params.get("duration", 0),
                "mime_type": "video/mp4",
            }
        }
        if params.get("caption"):
            content["caption"] = params["caption"]
        return self._message(params["chat_id"], **content)
