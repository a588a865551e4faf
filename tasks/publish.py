"""Publish the approved draft to scripts/, once, and only the draft that was approved."""

from prefect import task

from editorbot.drafts import read_draft
from editorbot.errors import DraftNotApproved
from editorbot.redaction import redacting_errors
from editorbot.storage import configured_storage, script_key
from tasks.transient import NETWORK_RETRIES


@task(**NETWORK_RETRIES)
@redacting_errors
def publish(run_key: str, approved: str) -> list[str]:
    """Copy the draft whose digest is `approved` to scripts/<run_key>.json and .md.

    The draft is read back from storage and its digest checked against the approval's, so
    whatever happened between the decision and now (a rerun that drafted again, another
    process writing the draft), only the words the reviewer approved are published.
    A repeat changes nothing.
    """
    storage = configured_storage()
    draft = read_draft(storage, run_key)  # parses the script: only a valid one is published
    if draft.digest != approved:
        raise DraftNotApproved(
            f"The draft of {run_key} is {draft.digest}, but draft {approved or '(none)'} was "
            "the one approved; nothing was published."
        )
    md_key, json_key = script_key(run_key, "md"), script_key(run_key, "json")
    # The .json is the contract and goes last: when it exists, the .md is there too.
    storage.put_once(md_key, draft.markdown.encode("utf-8"), "text/markdown")
    storage.put_once(json_key, draft.script_json, "application/json")
    return [json_key, md_key]
