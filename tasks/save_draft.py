"""Store the draft a reviewer approves: drafts/<run_key>/script.json and script.md."""

from prefect import task

from editorbot.drafts import draft_digest
from editorbot.redaction import redacting_errors
from editorbot.render import script_markdown
from editorbot.schemas import DraftKeys, MediatedText, Script
from editorbot.storage import configured_storage, draft_key
from tasks.cache_policies import STORED_ONCE
from tasks.transient import NETWORK_RETRIES


@task(
    persist_result=True,
    cache_policy=STORED_ONCE,
    **NETWORK_RETRIES,
)
@redacting_errors
def save_draft(script: Script, mediated: MediatedText, run_key: str) -> DraftKeys:
    """Write the draft as JSON (the contract) and Markdown (for people)."""
    storage = configured_storage()
    markdown = script_markdown(script, mediated)
    keys = DraftKeys(
        json_key=draft_key(run_key, "script.json"),
        markdown_key=draft_key(run_key, "script.md"),
        markdown=markdown,
        digest=draft_digest(script, markdown),
    )
    storage.put(keys.markdown_key, markdown.encode("utf-8"), "text/markdown")
    storage.put(keys.json_key, script.model_dump_json(indent=2).encode("utf-8"), "application/json")
    return keys
