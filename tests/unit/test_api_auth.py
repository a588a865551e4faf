"""Which auth strings count as unset: empty, blank, or a placeholder the repository publishes."""

import re
from pathlib import Path

import pytest

from editorbot.api_auth import AuthStringUnset, is_placeholder, require_auth_string
from harness.fake_secrets import PREFECT_AUTH_STRING

ROOT = Path(__file__).resolve().parents[2]


def published_placeholders() -> set[str]:
    """The placeholders as the repository really ships them, read from their files."""
    example = (ROOT / ".env.example").read_text()
    from_env = re.findall(
        r"^(?:PREFECT_SERVER_API_AUTH_STRING|PREFECT_API_AUTH_STRING)=(.*)$", example, re.MULTILINE
    )
    secrets_tf = (ROOT / "infra/modules/secrets/main.tf").read_text()
    from_terraform = re.findall(r'value_wo\s+=\s+"([^"]+)"', secrets_tf)
    found = set(from_env) | set(from_terraform)
    assert len(from_env) == 2 and len(from_terraform) == 1, found
    return found


@pytest.mark.parametrize("value", sorted(published_placeholders()))
def test_every_published_placeholder_is_refused(value):
    assert is_placeholder(value)
    with pytest.raises(
        AuthStringUnset, match=r"^PREFECT_API_AUTH_STRING is still the placeholder; "
    ):
        require_auth_string(value, "PREFECT_API_AUTH_STRING")


@pytest.mark.parametrize("value", [None, "", "   ", "\n"])
def test_nothing_is_refused_as_unset(value):
    with pytest.raises(
        AuthStringUnset, match=r"^X is not set; set it to user:long-random-password"
    ):
        require_auth_string(value, "X")


@pytest.mark.parametrize(
    "value", ["admin:REPLACE-ME", "editorbot:changeme", "ops:please-change-me-later"]
)
def test_values_that_say_they_are_placeholders_are_refused(value):
    assert is_placeholder(value)


def test_a_real_string_passes():
    assert not is_placeholder(PREFECT_AUTH_STRING)
    require_auth_string(PREFECT_AUTH_STRING, "PREFECT_API_AUTH_STRING")
