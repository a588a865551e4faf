"""Each creator's defaults (dialect, template, videos), kept as JSON through the storage seam."""

from editorbot.schemas import RunOptions
from editorbot.storage import configured_storage, preferences_key


def load_preferences(user_id: int) -> RunOptions:
    """The user's saved options, or the defaults."""
    try:
        return RunOptions.model_validate_json(configured_storage().get(preferences_key(user_id)))
    except KeyError:
        return RunOptions()


def save_preferences(user_id: int, options: RunOptions) -> None:
    configured_storage().put(
        preferences_key(user_id), options.model_dump_json().encode("utf-8"), "application/json"
    )
