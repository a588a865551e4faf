"""Unit tests of the LLM kernel: isolated from the shell's settings and Prefect home."""

import os
import sys
import tempfile

# Prefect reads its home when first imported: give it a temporary one unless that happened.
if "prefect" not in sys.modules:
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="editorbot-llm-tests-prefect-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"

import pytest


@pytest.fixture(autouse=True)
def no_editorbot_settings_from_the_shell(monkeypatch):
    """A developer's real EDITORBOT_* variables (a real key, say) never reach these tests."""
    for name in [n for n in os.environ if n.startswith("EDITORBOT_")]:
        monkeypatch.delenv(name)
