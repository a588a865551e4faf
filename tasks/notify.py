"""Tell the creator's chat how the run goes: the notify task, and the failure hook's message."""

import html
import textwrap
from typing import Literal
from uuid import UUID

from prefect import task
from prefect.cache_policies import INPUTS, RUN_ID, TASK_SOURCE
from prefect.runtime import flow_run
from pydantic import BaseModel

from editorbot import telegram_api
from editorbot.redaction import redacting_errors
from editorbot.run_key import run_key_slug
from editorbot.schemas import ChatTarget, DraftKeys
from editorbot.settings import get_settings
from editorbot.storage import configured_storage, script_key, subtitles_key
from editorbot.telegram_api import DecisionButton
from editorbot.video.formats import FORMATS
from editorbot.video.plan import VideoFormat
from tasks.transient import NETWORK_RETRIES

MESSAGE_LIMIT = 4096
"""Telegram's longest text message."""

DRAFT_LIMIT = MESSAGE_LIMIT - 300
"""Room left in each draft message for the line the bot adds once the draft is decided."""

DECISIONS = (("Approve", "approve"), ("Revise", "revise"), ("Reject", "reject"))


class Step(BaseModel):
    """The run moved on to a step."""

    step: Literal["downloading", "transcribing", "mediating", "structuring", "rendering"]
    revision: int = 0


class DraftReady(BaseModel):
    """A draft waits for the creator's decision."""

    draft: DraftKeys
    revision: int


class Published(BaseModel):
    """The approved script is published under `run_key`."""

    run_key: str


class PreviewReady(BaseModel):
    """The preview video of a draft is rendered (it follows the draft's text and buttons)."""

    key: str
    revision: int
    duration_s: float


class PreviewFailed(BaseModel):
    """The preview of a draft could not be rendered; the draft waits for a decision all the same."""

    revision: int


class VideosReady(BaseModel):
    """The approved script's videos: format id to the MP4's key; formats that failed."""

    videos: dict[str, str]
    duration_s: float
    failed: list[str] = []


class Rejected(BaseModel):
    """The draft was rejected; nothing is published."""

    notes: str = ""


class Expired(BaseModel):
    """Nobody decided in time; nothing is published."""


Event = (
    Step | DraftReady | PreviewReady | PreviewFailed | Published | VideosReady | Rejected | Expired
)

FORMAT_CAPTIONS = {
    "9x16": "9:16 for Shorts, Reels and TikTok",
    "16x9": "16:9 for YouTube",
    "1x1": "1:1 for square feeds",
    "4x5": "4:5 for Instagram and Facebook feeds",
}

STEP_TEXT = {
    "downloading": "Received. Downloading your note…",
    "transcribing": "Transcribing your note…",
    "mediating": "Adapting the Spanish so anyone follows it…",
    "structuring": "Shaping the script into timed beats…",
    "rendering": "Published. Rendering your videos…",
}


def _html_lines(markdown: str) -> list[str]:
    """The draft's Markdown as Telegram HTML, one line each; long lines wrapped first."""
    lines = []
    for line in markdown.splitlines():
        if line.startswith("#"):
            lines.append(f"<b>{html.escape(line.lstrip('#').strip())}</b>")
        elif len(line) > 2 and line.startswith("_") and line.endswith("_"):
            lines.append(f"<i>{html.escape(line.strip('_'))}</i>")
        else:
            wrapped = textwrap.wrap(line, MESSAGE_LIMIT // 2, break_long_words=True) or [""]
            lines.extend(html.escape(part) for part in wrapped)
    return lines


def draft_messages(markdown: str, limit: int = DRAFT_LIMIT) -> list[str]:
    """The draft as HTML messages, each under `limit` characters, split between lines."""
    chunks, current = [], ""
    for line in _html_lines(markdown):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit and current:
            chunks.append(current)
            candidate = line
        current = candidate
    if current.strip():
        chunks.append(current)
    return chunks


def _status(chat: ChatTarget, text: str) -> None:
    if chat.status_message_id is None:
        telegram_api.send_text(chat.chat_id, text)
    else:
        telegram_api.edit_status(chat.chat_id, chat.status_message_id, text)


# Once per run and event: a run resumed from suspension replays the flow from the top, and
# the creator must not get the draft (or a status line) a second time.
@task(persist_result=True, cache_policy=INPUTS + TASK_SOURCE + RUN_ID, **NETWORK_RETRIES)
@redacting_errors
def notify(chat: ChatTarget, event: Event) -> None:
    """Show `event` in the creator's chat: edit the status, send the draft or the files."""
    match event:
        case Step(step=step):
            _status(chat, STEP_TEXT[step])
        case DraftReady(draft=draft, revision=revision):
            run_id = UUID(flow_run.id)
            _status(chat, f"Draft {revision + 1} is ready below: approve, revise or reject it.")
            buttons = [
                (label, DecisionButton(decision, run_id, revision, draft.digest).data)
                for label, decision in DECISIONS
            ]
            telegram_api.send_html(chat.chat_id, draft_messages(draft.markdown), buttons)
        case Published(run_key=run_key):
            _status(chat, "Published. The script and subtitles are below.")
            telegram_api.send_documents(chat.chat_id, published_files(run_key))
        case PreviewReady(key=key, revision=revision, duration_s=duration_s):
            caption = f"Preview of draft {revision + 1}: what approving it publishes."
            _send_video(chat, key, FORMATS["preview"], duration_s, caption)
        case PreviewFailed(revision=revision):
            telegram_api.send_text(
                chat.chat_id,
                f"The preview of draft {revision + 1} could not be made; the draft above waits "
                "for your decision all the same.",
            )
        case VideosReady(videos=videos, duration_s=duration_s, failed=failed):
            _status(chat, "Published. Your videos are below.")
            for format_id, key in videos.items():
                fmt = FORMATS[format_id]
                _send_video(chat, key, fmt, duration_s, FORMAT_CAPTIONS.get(format_id, ""))
            if failed:
                telegram_api.send_text(
                    chat.chat_id,
                    f"The {', '.join(f.replace('x', ':') for f in failed)} video could not be "
                    f"made; the script is published all the same. `editorbot replay "
                    f"{flow_run.id}` makes what is missing.",
                )
        case Rejected(notes=notes):
            text = "Rejected; nothing was published." + (f" Reason: {notes}" if notes else "")
            _status(chat, text)
            telegram_api.send_text(chat.chat_id, text)
        case Expired():
            text = "Nobody decided in time, so nothing was published. Send the note again to retry."
            _status(chat, text)
            telegram_api.send_text(chat.chat_id, text)


def _send_video(
    chat: ChatTarget, key: str, fmt: VideoFormat, duration_s: float, caption: str
) -> None:
    """Send a video as a video message; past the bot upload limit, a link and why."""
    storage = configured_storage()
    data = storage.get(key)
    limit_mb = get_settings().telegram_upload_limit_mb
    size_mb = len(data) / 2**20
    if size_mb > limit_mb:
        telegram_api.send_text(
            chat.chat_id,
            f"{caption or fmt.id}: the video is {size_mb:.0f} MB, over the {limit_mb:g} MB "
            f"Telegram lets a bot send, so here is a link instead: {storage.link(key)}",
        )
        return
    name = f"{key.rsplit('/', 2)[-2]}-{key.rsplit('/', 1)[-1]}"
    telegram_api.send_video(
        chat.chat_id, name, data, fmt.width, fmt.height, duration_s, caption=caption
    )


def published_files(run_key: str) -> list[tuple[str, bytes]]:
    """The published script (.md, .json) and, for spoken notes, its subtitles (.srt)."""
    storage = configured_storage()
    name = run_key_slug(run_key)
    files = [(f"{name}.{ext}", storage.get(script_key(run_key, ext))) for ext in ("md", "json")]
    srt = subtitles_key(run_key, "srt")
    if storage.exists(srt):
        files.append((f"{name}.srt", storage.get(srt)))
    return files


def report_failure(chat: ChatTarget, reason: str) -> None:
    """Tell the chat the run failed and why (a flow hook, so not a task)."""
    text = f"Sorry, this note could not be turned into a script: {reason}"
    _status(chat, text)
    telegram_api.send_text(chat.chat_id, text)
