"""The Prefect API's basic-auth string: refused when empty or still a published placeholder."""

from editorbot.errors import EditorBotError

# The placeholders this repository publishes: .env.example's value and what Terraform puts
# into SSM until someone sets the real one. Anyone reading the repository knows them.
PUBLISHED_PLACEHOLDERS = frozenset(
    {
        "editorbot:replace-me-with-a-long-random-password",
        "placeholder-set-me-by-hand",
    }
)
# A value that still says it is a placeholder, whatever else it says.
PLACEHOLDER_MARKS = ("replace-me", "set-me-by-hand", "changeme", "change-me")

HOW_TO_SET = (
    "set it to user:long-random-password (on the VM: SSM /editorbot/<env>/<role>/"
    "prefect_api_auth_string, docs/runbook.md section 3; on a laptop: .env)"
)


class AuthStringUnset(EditorBotError):
    """The Prefect API would be served, or called, without a real auth string."""


def is_placeholder(value: str) -> bool:
    """True for an empty value or one of the placeholders anyone can read in the repository."""
    text = value.strip()
    if not text or text in PUBLISHED_PLACEHOLDERS:
        return True
    return any(mark in text.lower() for mark in PLACEHOLDER_MARKS)


def require_auth_string(value: str | None, variable: str) -> None:
    """Raise AuthStringUnset unless `value` (read from `variable`) is a real auth string."""
    if value is None or is_placeholder(value):
        state = "is not set" if not (value or "").strip() else "is still the placeholder"
        raise AuthStringUnset(f"{variable} {state}; {HOW_TO_SET}.")
