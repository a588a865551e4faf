"""Fixtures for the LLM engines: fake Gemini and OpenAI-compatible servers, a real Prefect API."""

import os
import tempfile

# Prefect reads its home when first imported; the top-level conftest may have set it already.
if "PREFECT_HOME" not in os.environ:
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="editorbot-llm-tests-prefect-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"

import pytest

from tests.fakes.gemini import FAKE_GEMINI_KEY, FakeGemini
from tests.fakes.openai_compat import FakeOpenAICompatible

GEMINI_MODEL_FOR_TESTS = "gemini-test-model"
LOCAL_MODEL_FOR_TESTS = "qwen-local-test"
TEMPERATURE_FOR_TESTS = "0.15"


@pytest.fixture(scope="session")
def prefect_harness():
    """A real, temporary Prefect API for the tests that run tasks."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def gemini(monkeypatch):
    """A fake Gemini API, and settings in the environment that point the real client at it."""
    with FakeGemini() as fake:
        monkeypatch.setenv("EDITORBOT_TEXT_ENGINE", "gemini")
        monkeypatch.setenv("EDITORBOT_GEMINI_API_KEY", FAKE_GEMINI_KEY)
        monkeypatch.setenv("EDITORBOT_GEMINI_BASE_URL", fake.url)
        monkeypatch.setenv("EDITORBOT_GEMINI_MODEL", GEMINI_MODEL_FOR_TESTS)
        monkeypatch.setenv("EDITORBOT_LLM_TEMPERATURE", TEMPERATURE_FOR_TESTS)
        yield fake


@pytest.fixture
def local_llm(monkeypatch):
    """A fake OpenAI-compatible server without a key, and settings pointing the client at it."""
    with FakeOpenAICompatible() as fake:
        monkeypatch.setenv("EDITORBOT_TEXT_ENGINE", "openai")
        monkeypatch.setenv("EDITORBOT_LLM_BASE_URL", f"{fake.url}/v1")
        monkeypatch.setenv("EDITORBOT_LLM_MODEL", LOCAL_MODEL_FOR_TESTS)
        monkeypatch.setenv("EDITORBOT_LLM_TEMPERATURE", TEMPERATURE_FOR_TESTS)
        yield fake
