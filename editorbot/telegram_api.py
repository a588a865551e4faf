"""The Telegram Bot API adapter: the pipeline's calls, its button data, its transient errors."""

import asyncio
import logging
import re
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any, Literal, Self, TypeVar, get_args
from uuid import UUID

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter, ExtBot
from telegram.warnings import PTBDeprecationWarning

from editorbot.errors import BadSource
from editorbot.settings import get_settings

log = logging.getLogger(__name__)

TELEGRAM_SOURCE = "telegram:"
"""A note source `telegram:<file_id>`: the file a creator sent to the bot."""

T = TypeVar("T")


def telegram_file_id(source: str) -> str | None:
    """The file id in a `telegram:<file_id>` source, or None for any other source."""
    return source.removeprefix(TELEGRAM_SOURCE) if source.startswith(TELEGRAM_SOURCE) else None


CALLBACK_DATA_LIMIT = 64
"""The most bytes Telegram lets a button carry back."""

Decision = Literal["approve", "revise", "reject"]


@dataclass(frozen=True)
class DecisionButton:
    """What a draft's Approve / Revise / Reject button carries back to the bot.

    Written `<decision>:<run id>:<revision>`, fields in a fixed order; a field added later
    goes at the end and parses as None from buttons sent before it existed (as `revision`
    does from buttons older than it). The revision keeps a button under an older draft from
    deciding a newer one.
    """

    decision: Decision
    run_id: UUID
    revision: int | None = None

    @property
    def data(self) -> str:
        """The button's callback data; raises ValueError if Telegram would refuse its length."""
        fields = [self.decision, str(self.run_id)]
        if self.revision is not None:
            fields.append(str(self.revision))
        data = ":".join(fields)
        if len(data.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"button data over {CALLBACK_DATA_LIMIT} bytes: {data!r}")
        return data

    @classmethod
    def parse(cls, data: str) -> Self:
        """The button whose `data` this is; raises ValueError for anything else."""
        decision, run_id, *rest = data.split(":")
        if decision not in get_args(Decision):
            raise ValueError(f"not a decision button: {data!r}")
        return cls(decision, UUID(run_id), int(rest[0]) if rest else None)

    @staticmethod
    def pattern(*decisions: Decision) -> str:
        """A regular expression matching the data of buttons with these decisions."""
        return "^(" + "|".join(map(re.escape, decisions)) + "):"


def is_transient(error: BaseException) -> bool:
    """Telegram's network trouble and flood waits; a bad request or a ban is for good."""
    # BadRequest subclasses NetworkError in python-telegram-bot, so it is excluded first;
    # a file over the upload limit (413, which PTB also raises as NetworkError) stays too big.
    if isinstance(error, BadRequest) or "Request Entity Too Large" in str(error):
        return False
    return isinstance(error, NetworkError | RetryAfter)


def flood_wait_s(flood: RetryAfter) -> float:
    """How long Telegram asked us to wait, whichever type this python-telegram-bot returns."""
    with warnings.catch_warnings():
        # An int until PTB's next major version, a timedelta after: both are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = flood.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class _WaitTooLong(Exception):
    """Carries a flood wait past the bound out of AIORateLimiter's retry loop."""

    def __init__(self, flood: RetryAfter) -> None:
        self.flood = flood


class FloodControl(AIORateLimiter):
    """python-telegram-bot's rate limiter, with a bound on how long a flood wait is sat out.

    AIORateLimiter keeps requests under Telegram's published limits and, on a 429, holds
    requests for its `retry_after` and sends the refused one again, up to `max_retries`
    times; each request is retried on its own, so a draft sent as several messages is never
    sent twice. A wait over `max_wait_s` is not sat out: RetryAfter reaches the caller at
    once (the task's retries, or the bot's error handler), so nothing hangs for minutes.
    """

    def __init__(self, max_retries: int = 3, max_wait_s: float = 30) -> None:
        super().__init__(max_retries=max_retries)
        self.max_wait_s = max_wait_s

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        async def within_bound(*call_args: Any, **call_kwargs: Any) -> Any:
            try:
                return await callback(*call_args, **call_kwargs)
            except RetryAfter as flood:
                if flood_wait_s(flood) > self.max_wait_s:
                    raise _WaitTooLong(flood) from None
                log.warning(
                    "Telegram asked us to wait %.0f s before %s", flood_wait_s(flood), endpoint
                )
                raise

        try:
            return await super().process_request(
                within_bound, args, kwargs, endpoint, data, rate_limit_args
            )
        except _WaitTooLong as too_long:
            raise too_long.flood from None


def _call(action: Callable[[Bot], Awaitable[T]]) -> T:
    """Run one exchange with the Bot API from synchronous task code."""
    settings = get_settings()
    if settings.telegram_token is None:
        raise BadSource("EDITORBOT_TELEGRAM_TOKEN is not set, so Telegram cannot be reached.")

    async def exchange() -> T:
        async with ExtBot(
            settings.telegram_token.get_secret_value(),
            base_url=settings.telegram_api_url,
            base_file_url=settings.telegram_file_url,
            rate_limiter=FloodControl(),
        ) as bot:
            return await action(bot)

    return asyncio.run(exchange())


def fetch_file(file_id: str) -> tuple[bytes, str]:
    """The bytes of a file sent to the bot, and its extension (`oga`, `mp3`, … or `bin`)."""

    async def fetch(bot: Bot) -> tuple[bytes, str]:
        try:
            file = await bot.get_file(file_id)
        except BadRequest as error:
            raise BadSource(
                f"Telegram would not hand over the note ({error.message}); send it again."
            ) from None
        data = bytes(await file.download_as_bytearray())
        suffix = PurePosixPath(file.file_path or "").suffix.lower().lstrip(".")
        return data, suffix if suffix.isalnum() and len(suffix) <= 5 else "bin"

    return _call(fetch)


def edit_status(chat_id: int, message_id: int, text: str) -> None:
    """Replace the text of the run's status message; an unchanged text is not an error."""

    async def edit(bot: Bot) -> None:
        try:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise

    _call(edit)


def send_html(chat_id: int, chunks: list[str], buttons: list[tuple[str, str]] = ()) -> list[int]:
    """Send HTML messages in order, the buttons (label, callback data) under the last one."""

    async def send(bot: Bot) -> list[int]:
        ids = []
        for number, chunk in enumerate(chunks, start=1):
            markup = None
            if buttons and number == len(chunks):
                markup = InlineKeyboardMarkup(
                    [[InlineKeyboardButton(label, callback_data=data) for label, data in buttons]]
                )
            message = await bot.send_message(
                chat_id, chunk, parse_mode=ParseMode.HTML, reply_markup=markup
            )
            ids.append(message.message_id)
        return ids

    return _call(send)


def send_text(chat_id: int, text: str) -> None:
    """Send one plain message."""

    async def send(bot: Bot) -> None:
        await bot.send_message(chat_id, text)

    _call(send)


def send_video(
    chat_id: int,
    name: str,
    data: bytes,
    width: int,
    height: int,
    duration_s: float,
    caption: str = "",
) -> None:
    """Send an MP4 as a video message that plays in the chat while it downloads."""

    async def send(bot: Bot) -> None:
        await bot.send_video(
            chat_id,
            InputFile(data, filename=name),
            duration=round(duration_s),
            width=width,
            height=height,
            caption=caption or None,
            supports_streaming=True,
            filename=name,
        )

    _call(send)


def send_documents(chat_id: int, files: list[tuple[str, bytes]]) -> None:
    """Send each (file name, bytes) as a document, in order."""

    async def send(bot: Bot) -> None:
        for name, data in files:
            await bot.send_document(chat_id, InputFile(data, filename=name), filename=name)

    _call(send)
