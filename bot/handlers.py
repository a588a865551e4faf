"""What the bot does with each kind of update; `bot.app` decides which handler gets which."""

import asyncio
import html
import logging
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationHandlerStop, ConversationHandler

from bot.context import BotContext, Revising
from bot.preferences import load_preferences, save_preferences
from bot.runs import decide_when_waiting, owns_run, recent_runs, run_state_if_over
from bot.submission import Note
from editorbot.dialects import AUTO, profile_names
from editorbot.errors import EditorBotError
from editorbot.run_key import make_run_key
from editorbot.schemas import TYPED_SOURCE, ChatTarget
from editorbot.telegram_api import TELEGRAM_SOURCE, DecisionButton
from editorbot.templates import template_names
from flows.approval import NotWaiting

log = logging.getLogger(__name__)

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
"""The largest file the Bot API lets a bot download."""

NOTES = 1
"""Conversation state: the next text message from this user is the revision notes."""

HELP = (
    "Send me a voice note with your idea, in Spanish (an audio file, a video note or audio "
    "sent as a file work too), or type it as a message. I transcribe it, adapt regional "
    "expressions so any Spanish speaker follows, and shape it into a script of timed beats. "
    "You approve, revise or reject the draft (a preview video follows it); only approved "
    "scripts are published, with a 9:16 and a 16:9 video.\n\n"
    "/dialect – your Spanish, used for your next notes\n"
    "/template – the kind of script\n"
    "/formats – add 1:1 or 4:5 videos\n"
    "/status – your recent runs\n"
    "/cancel RUN – drop a draft that is waiting for you\n"
    "/help – this text"
)
COMMANDS = [
    ("start", "what this bot does"),
    ("help", "how to use it"),
    ("dialect", "choose your Spanish"),
    ("template", "choose the kind of script"),
    ("formats", "which videos you get"),
    ("status", "your recent runs"),
    ("cancel", "drop a waiting draft: /cancel RUN"),
]


async def start(update: Update, context: BotContext) -> None:
    """Greet the creator and say what the bot does."""
    name = update.effective_user.first_name if update.effective_user else ""
    await update.effective_message.reply_text(f"Hi {name}! {HELP}")


async def show_help(update: Update, context: BotContext) -> None:
    """Explain what the bot accepts and its commands."""
    await update.effective_message.reply_text(HELP)


STRANGER_REPLY_EVERY_S = 3600
"""A stranger is told the bot is private at most once in this many seconds."""


def _first_word_in_a_while(context: BotContext, user_id: int | None) -> bool:
    """Whether to answer this stranger now: not if they were answered within the hour.

    Every answer is a call to Telegram, and flood control slows all of the bot's calls:
    a stranger sending messages by the hundred must cost the bot nothing after the first.
    """
    now, answered = time.monotonic(), context.bot_data.strangers_answered
    if user_id is None or now - answered.get(user_id, -STRANGER_REPLY_EVERY_S) < (
        STRANGER_REPLY_EVERY_S
    ):
        return False
    answered[user_id] = now
    # Forget those whose hour is over, so the table holds the last hour's strangers only.
    for stranger in [s for s, at in answered.items() if now - at >= STRANGER_REPLY_EVERY_S]:
        del answered[stranger]
    return True


async def refuse_stranger(update: Update, context: BotContext) -> None:
    """Politely turn away a user who is not on the allowlist, once an hour; nothing else runs."""
    user_id = update.effective_user.id if update.effective_user else None
    if _first_word_in_a_while(context, user_id):
        log.info("user %s is not on the allowlist: refused, and ignored for an hour", user_id)
        await update.effective_message.reply_text(
            "Sorry, this bot is private and only works for the people it was set up for. "
            f"If that should include you, give its owner your user id: {user_id}."
        )
    raise ApplicationHandlerStop


async def refuse_stranger_button(update: Update, context: BotContext) -> None:
    """Turn away buttons pressed by anyone not on the allowlist, answering once an hour."""
    query = update.callback_query
    if query.from_user.id in context.bot_data.settings.allowed_users:
        return  # let the next group handle it
    if _first_word_in_a_while(context, query.from_user.id):
        await query.answer("Sorry, this bot is private.", show_alert=True)
    raise ApplicationHandlerStop


def _seconds(duration: int | timedelta | None) -> float:
    if isinstance(duration, timedelta):
        return duration.total_seconds()
    return float(duration or 0)


async def receive_note(update: Update, context: BotContext) -> None:
    """Check a voice note, audio or video note and submit it as one run."""
    message = update.effective_message
    attachment = message.effective_attachment
    settings = context.bot_data.settings
    size = attachment.file_size or 0
    seconds = _seconds(getattr(attachment, "duration", None))
    if size > MAX_DOWNLOAD_BYTES:
        await message.reply_text(
            f"This file is {size / 1024 / 1024:.1f} MB; Telegram lets bots download files up "
            "to 20 MB. Send a shorter or more compressed note."
        )
        return
    if seconds > settings.max_audio_seconds:
        await message.reply_text(
            f"This note is {seconds / 60:.1f} minutes long; I take notes up to "
            f"{settings.max_audio_seconds / 60:.0f} minutes. Split it and send the parts."
        )
        return
    await _submit(update, context, TELEGRAM_SOURCE + attachment.file_id, attachment.file_unique_id)


async def receive_text(update: Update, context: BotContext) -> None:
    """Submit a typed idea: it has nothing to transcribe and starts at mediation."""
    message = update.effective_message
    await _submit(
        update, context, TYPED_SOURCE + message.text, f"text-{message.chat_id}-{message.id}"
    )


async def _submit(update: Update, context: BotContext, source: str, note_key: str) -> None:
    message, user = update.effective_message, update.effective_user
    status = await message.reply_text("Received, working on it…")
    options = await asyncio.to_thread(load_preferences, user.id)
    note = Note(
        source=source,
        note_key=note_key,
        run_key=make_run_key(message.chat_id, message.id, message.date),
        chat=ChatTarget(chat_id=message.chat_id, status_message_id=status.id, user_id=user.id),
        options=options,
    )
    submitted = await asyncio.to_thread(context.bot_data.submission.submit, note)
    log.info("note %s from user %s is run %s", note_key, user.id, submitted.run_id)
    if submitted.duplicate and submitted.published:
        await status.edit_text(
            f"I already published this note (run {submitted.run_id}); the script is in my "
            "reply to it."
        )
    elif submitted.duplicate:
        await status.edit_text(
            f"I already have this note (run {submitted.run_id}); "
            "its progress and draft are in my first reply to it."
        )


async def explain_usage(update: Update, context: BotContext) -> None:
    """Answer anything the bot cannot use with what it can."""
    await update.effective_message.reply_text(
        "I can only work with voice notes, audio, video notes or typed text.\n\n" + HELP
    )


async def _answer_owner(update: Update, run_id: UUID) -> bool:
    """Answer a draft's button; True only when the presser is the one who sent the note.

    In a group chat, others on the allowlist see the draft's buttons too.
    """
    query = update.callback_query
    if await asyncio.to_thread(owns_run, query.from_user.id, run_id):
        await query.answer()
        return True
    await query.answer("Only the person who sent this note can decide its draft.", show_alert=True)
    return False


async def _mark_draft(update: Update, note: str) -> None:
    """Replace the draft's buttons with a line saying what happened to it."""
    query = update.callback_query
    await query.edit_message_text(
        f"{query.message.text_html}\n\n<i>{html.escape(note)}</i>", parse_mode=ParseMode.HTML
    )


UNBOUND_BUTTON = (
    "Too late for this button: it is from before drafts carried their digest. "
    "Use the buttons under the newest draft."
)


async def decide_draft(update: Update, context: BotContext) -> None:
    """Approve or reject the draft whose button was pressed."""
    query = update.callback_query
    button = DecisionButton.parse(query.data)
    if not await _answer_owner(update, button.run_id):
        return
    if button.draft is None:
        # Without a digest it would decide whatever draft waits now, perhaps one never shown.
        await _mark_draft(update, UNBOUND_BUTTON)
        return
    try:
        await asyncio.to_thread(
            decide_when_waiting, button.run_id, button.decision, "", draft=button.draft
        )
    except NotWaiting as stale:
        await _mark_draft(update, f"Too late for this button: {stale}")
        return
    past = {"approve": "Approved", "reject": "Rejected"}[button.decision]
    await _mark_draft(update, f"{past} by {query.from_user.first_name}.")


async def ask_for_notes(update: Update, context: BotContext) -> int:
    """Start a revision: the next text message from this user becomes the notes."""
    query = update.callback_query
    button = DecisionButton.parse(query.data)
    if not await _answer_owner(update, button.run_id):
        return ConversationHandler.END
    if button.draft is None:
        await _mark_draft(update, UNBOUND_BUTTON)
        return ConversationHandler.END
    ended = await asyncio.to_thread(run_state_if_over, button.run_id)
    if ended:
        await _mark_draft(update, f"Too late for this button: the run is {ended}.")
        return ConversationHandler.END
    context.user_data.revising = Revising(
        run_id=button.run_id,
        revision=button.revision,
        chat_id=query.message.chat_id,
        message_id=query.message.message_id,
        draft_html=query.message.text_html,
        draft=button.draft,
    )
    await query.message.reply_text(
        "What should change? Send it as your next message (lines written `old -> new` are "
        "applied as written). /cancel keeps the draft as it is."
    )
    return NOTES


async def receive_notes(update: Update, context: BotContext) -> int:
    """Send the user's notes to the waiting run as a revision request."""
    revising, context.user_data.revising = context.user_data.revising, None
    message = update.effective_message
    try:
        await asyncio.to_thread(
            decide_when_waiting, revising.run_id, "revise", message.text, draft=revising.draft
        )
    except NotWaiting as stale:
        await message.reply_text(f"That draft is no longer waiting: {stale}")
        return ConversationHandler.END
    await context.bot.edit_message_text(
        f"{revising.draft_html}\n\n<i>Revision asked by "
        f"{html.escape(update.effective_user.first_name)}.</i>",
        chat_id=revising.chat_id,
        message_id=revising.message_id,
        parse_mode=ParseMode.HTML,
    )
    await message.reply_text("Got it; a new draft is on its way.")
    return ConversationHandler.END


async def stop_revising(update: Update, context: BotContext) -> int:
    """Leave the draft waiting as it is, without notes."""
    context.user_data.revising = None
    await update.effective_message.reply_text("Fine; the draft still waits for your decision.")
    return ConversationHandler.END


def _keyboard(kind: str, names: list[str], current: str) -> InlineKeyboardMarkup:
    def label(name: str) -> str:
        return f"✓ {name}" if name == current else name

    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label(name), callback_data=f"{kind}:{name}")] for name in names]
    )


async def _save_default(update: Update, kind: str, value: object, said: str) -> None:
    user_id = update.effective_user.id
    options = await asyncio.to_thread(load_preferences, user_id)
    options = type(options).model_validate(options.model_dump() | {kind: value})
    await asyncio.to_thread(save_preferences, user_id, options)
    await update.effective_message.reply_text(said)


async def choose_dialect(update: Update, context: BotContext) -> None:
    """Set the dialect typed after the command, or offer the dialect profiles as buttons."""
    names = [*profile_names(), AUTO]
    typed = " ".join(context.args or []).strip().lower()
    if typed in names:
        said = f"Your dialect is now {typed}; it applies to your next notes."
        await _save_default(update, "dialect", typed, said)
        return
    options = await asyncio.to_thread(load_preferences, update.effective_user.id)
    question = "Which Spanish do you speak? (auto guesses it from each note)"
    await update.effective_message.reply_text(
        f"There is no dialect called «{typed}». {question}" if typed else question,
        reply_markup=_keyboard("dialect", names, options.dialect),
    )


async def choose_template(update: Update, context: BotContext) -> None:
    """Set the template typed after the command, or offer the script templates as buttons."""
    names = list(template_names())
    typed = " ".join(context.args or []).strip().lower()
    if typed in names:
        said = f"Your template is now {typed}; it applies to your next notes."
        await _save_default(update, "template", typed, said)
        return
    options = await asyncio.to_thread(load_preferences, update.effective_user.id)
    question = "Which kind of script should your notes become?"
    await update.effective_message.reply_text(
        f"There is no template called «{typed}». {question}" if typed else question,
        reply_markup=_keyboard("template", names, options.template),
    )


async def save_choice(update: Update, context: BotContext) -> None:
    """Store the dialect or template the user picked as their default."""
    query = update.callback_query
    await query.answer()
    kind, name = query.data.split(":", 1)
    user_id = query.from_user.id
    options = await asyncio.to_thread(load_preferences, user_id)
    options = options.model_copy(update={kind: name})
    await asyncio.to_thread(save_preferences, user_id, options)
    await query.edit_message_text(f"Your {kind} is now {name}; it applies to your next notes.")


FORMAT_CHOICES = (
    ("9:16 and 16:9", "9x16,16x9"),
    ("+ 1:1", "9x16,16x9,1x1"),
    ("+ 4:5", "9x16,16x9,4x5"),
    ("+ 1:1 and 4:5", "9x16,16x9,1x1,4x5"),
)


async def choose_formats(update: Update, context: BotContext) -> None:
    """Set the videos typed after the command (`/formats 1:1 4:5`), or offer them as buttons."""
    typed = " ".join(context.args or []).replace(",", " ").split()
    extra = {name.replace(":", "x") for name in typed} - {"9x16", "16x9"}
    chosen = next(
        (value for _, value in FORMAT_CHOICES if set(value.split(",")[2:]) == extra), None
    )
    if typed and chosen:
        shown = ", ".join(f.replace("x", ":") for f in chosen.split(","))
        said = f"Your videos are now {shown}; they apply to your next notes."
        await _save_default(update, "formats", chosen.split(","), said)
        return
    options = await asyncio.to_thread(load_preferences, update.effective_user.id)
    current = ",".join(options.formats)
    buttons = [
        [
            InlineKeyboardButton(
                ("✓ " if value == current else "") + label, callback_data=f"formats:{value}"
            )
        ]
        for label, value in FORMAT_CHOICES
    ]
    question = "Which videos should an approved script get? 9:16 and 16:9 always come."
    await update.effective_message.reply_text(
        f"There are no «{' '.join(typed)}» videos; 1:1 and 4:5 can be added. {question}"
        if typed
        else question,
        reply_markup=InlineKeyboardMarkup(buttons),
    )


async def save_formats(update: Update, context: BotContext) -> None:
    """Store the set of videos the user picked as their default."""
    query = update.callback_query
    await query.answer()
    user_id = query.from_user.id
    options = await asyncio.to_thread(load_preferences, user_id)
    chosen = query.data.split(":", 1)[1].split(",")
    options = type(options).model_validate(options.model_dump() | {"formats": chosen})
    await asyncio.to_thread(save_preferences, user_id, options)
    shown = ", ".join(f.replace("x", ":") for f in options.formats)
    await query.edit_message_text(f"Your videos are now {shown}; they apply to your next notes.")


def _age(when: datetime) -> str:
    seconds = (datetime.now(UTC) - when).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit} ago"
    return f"{int(max(seconds, 0))}s ago"


async def show_status(update: Update, context: BotContext) -> None:
    """List the user's recent runs and their states."""
    runs = await asyncio.to_thread(recent_runs, update.effective_user.id)
    if not runs:
        await update.effective_message.reply_text("No runs yet: send me a voice note.")
        return
    lines = ["Your recent runs:"]
    for run in runs:
        state = "Waiting for your decision" if run.waiting else run.state
        line = f"• {state} · {run.run_key} · {_age(run.started)}"
        if run.waiting:
            line += f"\n  /cancel {run.run_id}"
        lines.append(line)
    await update.effective_message.reply_text("\n".join(lines))


async def cancel_run(update: Update, context: BotContext) -> None:
    """Reject a waiting run of the user's (the latest one when no id is given)."""
    message, user_id = update.effective_message, update.effective_user.id
    if context.args:
        try:
            run_id = UUID(context.args[0])
        except ValueError:
            await message.reply_text("That is not a run id; /status lists yours.")
            return
        if not await asyncio.to_thread(owns_run, user_id, run_id):
            await message.reply_text("You have no run with that id; /status lists yours.")
            return
    else:
        waiting = [r for r in await asyncio.to_thread(recent_runs, user_id) if r.waiting]
        if not waiting:
            await message.reply_text("Nothing of yours is waiting for a decision.")
            return
        run_id = waiting[0].run_id
    try:
        await asyncio.to_thread(
            decide_when_waiting, run_id, "reject", "cancelled by the creator", patience_s=0
        )
    except NotWaiting as stale:
        await message.reply_text(f"Only a waiting draft can be cancelled. {stale}")
        return
    await message.reply_text(f"Cancelled run {run_id}; nothing will be published.")


async def report_error(update: object, context: BotContext) -> None:
    """Log a failed update with its traceback and tell the user something useful."""
    error = context.error
    log.error("handling an update failed: %s", type(error).__name__, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    if user is None or user.id not in context.bot_data.settings.allowed_users:
        return  # a stranger hears from the bot once an hour at most, errors included
    text = (
        str(error)
        if isinstance(error, EditorBotError)
        else "Something went wrong on my side; please try again in a minute."
    )
    await context.bot.send_message(update.effective_chat.id, text)
