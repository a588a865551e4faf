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
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import handlers
from bot.submission import DeploymentSubmission, LocalSubmission
from editorbot.errors import EditorBotError
from editorbot.settings import Settings
from editorbot.telegram_api import DecisionButton, FloodWait

NEW = filters.UpdateType.MESSAGE  # an edited message is not a new note
NOTE = NEW & (filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE | filters.Document.AUDIO)
TEXT = NEW & filters.TEXT & ~filters.COMMAND


async def register_commands(application: Application) -> None:
    """Show the commands in Telegram's menu."""
    await application.bot.set_my_commands([BotCommand(*command) for command in handlers.COMMANDS])


def build_application(
    settings: Settings, submission: LocalSubmission | DeploymentSubmission
) -> Application:
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
        .rate_limiter(FloodWait())  # a reply hit by flood control waits and goes through
        .build()
    )
    application.bot_data.update(settings=settings, submission=submission)

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
