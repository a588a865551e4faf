"""What an approval is bound to: a draft's digest, computed alike when shown and when published."""

import hashlib
import json
from dataclasses import dataclass

from editorbot.schemas import Script
from editorbot.storage import Storage, draft_key

DIGEST_CHARS = 16
"""Hex characters of a draft digest: 64 bits, short enough for a button's 64 bytes of data,
a form field and a command line, and two drafts of one run never share one by chance."""


def draft_digest(script: Script, markdown: str) -> str:
    """The digest of a draft: what the reviewer read and what `publish` writes.

    It covers the Markdown the reviewer read (every beat's text, role, timing and pace, the
    template, dialect, revision, the mediation notes and the warnings) and the script's
    content (`Script` without `metadata`). It leaves out the metadata because it records how
    the draft was made, not what it says, and part of it changes on every regeneration:
    `created_at` is a clock reading, `retries` counts a model's bad replies. With them in,
    a step that merely missed its cache and wrote the same words again would look like a new
    draft and ask the reviewer twice for the same thing; without them, the same words are
    the same draft, and any change a reader could see is a different one.
    """
    content = {"script": script.model_dump(mode="json", exclude={"metadata"}), "markdown": markdown}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:DIGEST_CHARS]


@dataclass(frozen=True)
class StoredDraft:
    """A run's draft as storage holds it now, with its digest."""

    script_json: bytes
    markdown: str
    digest: str


def read_draft(storage: Storage, run_key: str) -> StoredDraft:
    """The run's current draft from storage; raises KeyError when there is none."""
    script_json = storage.get(draft_key(run_key, "script.json"))
    markdown = storage.get(draft_key(run_key, "script.md")).decode("utf-8")
    digest = draft_digest(Script.model_validate_json(script_json), markdown)
    return StoredDraft(script_json, markdown, digest)
