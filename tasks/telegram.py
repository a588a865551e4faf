"""The Bot API calls tasks make: fetch a note, edit the status, send drafts and files."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import PurePosixPath
from typing import TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest

from editorbot.errors import BadSource
from editorbot.settings import get_settings

TELEGRAM_SOURCE = "telegram:"
"""A note source `telegram:<file_id>`: the file a creator sent to the bot."""

T = TypeVar("T")


def telegram_file_id(source: str) -> str | None:
    """The file id in a `telegram:<file_id>` source, or None for any other source."""
    return source.removeprefix(TELEGRAM_SOURCE) if source.startswith(TELEGRAM_SOURCE) else None


def _call(action: Callable[[Bot], Awaitable[T]]) -> T:
    """Run one exchange with the Bot API from synchronous task code."""
    settings = get_settings()
    if settings.telegram_token is None:
        raise BadSource("EDITORBOT_TELEGRAM_TOKEN is not set, so Telegram cannot be reached.")

    async def exchange() -> T:
        async with Bot(
            settings.telegram_token.get_secret_value(),
            base_url=settings.telegram_api_url,
            base_file_url=settings.telegram_file_url,
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


def send_documents(chat_id: int, files: list[tuple[str, bytes]]) -> None:
    """Send each (file name, bytes) as a document, in order."""

    async def send(bot: Bot) -> None:
        for name, data in files:
            await bot.send_document(chat_id, InputFile(data, filename=name), filename=name)

    _call(send)
