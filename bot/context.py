"""The bot's typed context: what every handler shares, and what each user's conversation keeps."""

from dataclasses import dataclass
from uuid import UUID

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.submission import Submission
from editorbot.settings import Settings


class BotData:
    """Shared by every handler; set once, when the application is built (never persisted)."""

    settings: Settings
    submission: Submission


@dataclass(frozen=True)
class Revising:
    """A revision the user has asked for and is typing the notes of."""

    run_id: UUID
    revision: int | None
    """The draft the Revise button was under (None from buttons older than revisions)."""
    chat_id: int
    message_id: int
    draft_html: str
    """The draft message as sent, so its buttons can be replaced with what happened."""


@dataclass
class UserData:
    """Kept per user, and persisted: a revision in progress survives a restart of the bot."""

    revising: Revising | None = None


BotContext = CallbackContext[ExtBot[None], UserData, dict, BotData]
CONTEXT_TYPES = ContextTypes(context=CallbackContext, bot_data=BotData, user_data=UserData)
