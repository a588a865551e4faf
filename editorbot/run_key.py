"""The run key: the one name under which everything a run writes is stored."""

import re
from datetime import UTC, datetime

_PART = re.compile(r"^[A-Za-z0-9_-]+$")
_RUN_KEY = re.compile(r"^\d{4}/\d{2}/\d{2}/[A-Za-z0-9_-]+-[A-Za-z0-9_-]+$")


def make_run_key(chat_id: str | int, message_id: str | int, when: datetime | None = None) -> str:
    """`YYYY/MM/DD/<chat_id>-<message_id>`, dated by when the note arrived (UTC)."""
    chat, message = str(chat_id), str(message_id)
    for part in (chat, message):
        if not _PART.match(part):
            raise ValueError(f"run key parts may use letters, digits, - and _ only: {part!r}")
    day = (when or datetime.now(UTC)).astimezone(UTC)
    return f"{day:%Y/%m/%d}/{chat}-{message}"


def check_run_key(run_key: str) -> str:
    """Return `run_key` unchanged, or raise if it could escape its prefix."""
    if not _RUN_KEY.match(run_key):
        raise ValueError(f"not a run key: {run_key!r}")
    return run_key


def run_key_slug(run_key: str) -> str:
    """The run key as lowercase letters, digits and dashes (Prefect artifact keys)."""
    return re.sub(r"[^a-z0-9]+", "-", run_key.lower()).strip("-")
