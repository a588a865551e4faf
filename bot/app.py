"""All of the bot's wiring: the Application, which handler gets which update, and polling."""

import logging
import warnings

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
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
    build_application(settings, submission).run_polling(allowed_updates=Update.ALL_TYPES)
