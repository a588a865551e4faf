"""All of the bot's wiring: the Application, which handler gets which update, and polling."""

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Iterable
from typing import Any

from telegram import BotCommand, Update
from telegram.error import InvalidToken
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    PersistenceInput,
    PicklePersistence,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import handlers
from bot.context import CONTEXT_TYPES
from bot.submission import DeploymentSubmission, LocalSubmission, Submission
from editorbot.errors import EditorBotError
from editorbot.settings import Settings
from editorbot.telegram_api import DecisionButton, FloodControl
from flows.recovery import recover_crashed_runs

NEW = filters.UpdateType.MESSAGE  # an edited message is not a new note
NOTE = NEW & (filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE | filters.Document.AUDIO)
TEXT = NEW & filters.TEXT & ~filters.COMMAND
PERSISTENCE_INTERVAL_S = 5
"""How often conversations are written to disk; a stop or a restart writes them at once."""


async def register_commands(application: Application) -> None:
    """Show the commands in Telegram's menu."""
    await application.bot.set_my_commands([BotCommand(*command) for command in handlers.COMMANDS])


def persistence(settings: Settings) -> PicklePersistence:
    """Each user's conversation (a revision being typed), kept in a file across restarts."""
    settings.bot_persistence.parent.mkdir(parents=True, exist_ok=True)
    return PicklePersistence(
        settings.bot_persistence,
        # The settings and the submission seam are rebuilt at every start, never stored.
        store_data=PersistenceInput(
            bot_data=False, chat_data=False, user_data=True, callback_data=False
        ),
        update_interval=PERSISTENCE_INTERVAL_S,
    )


HANDLED_AT_ONCE = 8
"""Updates handled at the same time: one slow exchange does not hold the others back."""
IN_HAND = 256
"""Updates taken from Telegram and not yet handled, at most (queued behind their sender's)."""


class UsersInOrder(BaseUpdateProcessor):
    """Updates handled side by side, `handled_at_once` at most; each user's in the order sent.

    The revision conversation needs one user's updates one at a time (a Revise press, then
    the notes), as python-telegram-bot's ConversationHandler warns; different users need not
    wait for each other. A user's later updates wait for their turn without taking a place
    among those being handled, so nobody's burst holds the others back. Strangers' updates
    are not ordered: each is refused alone (in silence but once an hour), at once.
    """

    __slots__ = ("_handled", "_turns", "_users")

    def __init__(self, handled_at_once: int, users: Iterable[int]) -> None:
        super().__init__(max_concurrent_updates=IN_HAND)
        self._handled = asyncio.Semaphore(handled_at_once)
        self._users = frozenset(users)
        self._turns: dict[int, tuple[asyncio.Lock, int]] = {}
        """Each user with updates in hand: their turn, and how many updates wait for it."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None or user.id not in self._users:
            async with self._handled:
                await coroutine
            return
        turn, waiting = self._turns.get(user.id, (asyncio.Lock(), 0))
        self._turns[user.id] = (turn, waiting + 1)
        try:
            async with turn, self._handled:
                await coroutine
        finally:
            turn, waiting = self._turns[user.id]
            if waiting == 1:
                del self._turns[user.id]
            else:
                self._turns[user.id] = (turn, waiting - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def build_application(settings: Settings, submission: Submission) -> Application:
    """The bot, wired: handlers by filter, one error handler, the submission seam."""
    if settings.telegram_token is None:
        raise EditorBotError(
            "Set EDITORBOT_TELEGRAM_TOKEN to the token BotFather gave you (see the README)."
        )
    # Request URLs carry the bot token; httpx logs every one of them at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    application = (
        ApplicationBuilder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .post_init(register_commands)
        .rate_limiter(FloodControl())  # a reply hit by flood control waits and goes through
        .context_types(CONTEXT_TYPES)
        .persistence(persistence(settings))
        .concurrent_updates(UsersInOrder(HANDLED_AT_ONCE, settings.allowed_users))
        .build()
    )
    application.bot_data.settings = settings
    application.bot_data.submission = submission

    allowed = filters.User(user_id=settings.allowed_users)
    # Group -1 runs first: strangers are answered there and nothing else sees their update.
    application.add_handler(MessageHandler(~allowed, handlers.refuse_stranger), group=-1)
    application.add_handler(CallbackQueryHandler(handlers.refuse_stranger_button), group=-1)

    with warnings.catch_warnings():
        # Revision notes are tracked per user and chat, not per message: that is intended.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        revising = ConversationHandler(
            entry_points=[
                CallbackQueryHandler(
                    handlers.ask_for_notes, pattern=DecisionButton.pattern("revise")
                )
            ],
            states={handlers.NOTES: [MessageHandler(TEXT, handlers.receive_notes)]},
            fallbacks=[CommandHandler("cancel", handlers.stop_revising)],
            allow_reentry=True,
            name="revising",
            persistent=True,
        )
    application.add_handlers(
        [
            revising,
            CallbackQueryHandler(
                handlers.decide_draft, pattern=DecisionButton.pattern("approve", "reject")
            ),
            CallbackQueryHandler(handlers.save_choice, pattern=r"^(dialect|template):"),
            CallbackQueryHandler(handlers.save_formats, pattern=r"^formats:"),
            CommandHandler("start", handlers.start),
            CommandHandler("help", handlers.show_help),
            CommandHandler("dialect", handlers.choose_dialect),
            CommandHandler("template", handlers.choose_template),
            CommandHandler("formats", handlers.choose_formats),
            CommandHandler("status", handlers.show_status),
            CommandHandler("cancel", handlers.cancel_run),
            MessageHandler(NOTE, handlers.receive_note),
            MessageHandler(TEXT, handlers.receive_text),
            MessageHandler(NEW, handlers.explain_usage),
        ]
    )
    application.add_error_handler(handlers.report_error)
    return application


def run_bot(settings: Settings) -> None:
    """Poll Telegram until interrupted; flows run here, or on the deployment (bot_runs)."""
    if not settings.allowed_users:
        logging.getLogger(__name__).warning(
            "EDITORBOT_ALLOWED_USERS is empty: the bot will refuse everyone."
        )
    submission = DeploymentSubmission() if settings.bot_runs == "deployment" else LocalSubmission()
    if isinstance(submission, LocalSubmission):
        # Notes this bot was running when its process died: each is resumed once, here.
        recover_crashed_runs(deployed=False, resume=submission.resume)
    try:
        build_application(settings, submission).run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        # python-telegram-bot's own message quotes the token; this one does not.
        raise EditorBotError(
            "Telegram refused EDITORBOT_TELEGRAM_TOKEN: BotFather revoked it, or "
            "EDITORBOT_TELEGRAM_API_URL points at another server. Get a new one from BotFather."
        ) from None
