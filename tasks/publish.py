"""Publish the approved draft to scripts/, once."""

from prefect import task

from editorbot.schemas import DraftKeys, Script
from editorbot.storage import configured_storage, script_key
from tasks.transient import NETWORK_RETRIES


@task(**NETWORK_RETRIES)
def publish(draft: DraftKeys, run_key: str) -> list[str]:
    """Copy the approved draft to scripts/<run_key>.json and .md; a repeat changes nothing."""
    storage = configured_storage()
    script_json = storage.get(draft.json_key)
    Script.model_validate_json(script_json)  # only a valid script is ever published
    md_key, json_key = script_key(run_key, "md"), script_key(run_key, "json")
    # The .json is the contract and goes last: when it exists, the .md is there too.
    storage.put_once(md_key, storage.get(draft.markdown_key), "text/markdown")
    storage.put_once(json_key, script_json, "application/json")
    return [json_key, md_key]
