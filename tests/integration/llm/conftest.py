"""Fixtures for the LLM engines: fake Gemini and OpenAI-compatible servers, a real Prefect API."""

import os
import sys
import tempfile

# Prefect reads its home when first imported: give it a temporary one unless that happened.
if "prefect" not in sys.modules:
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="editorbot-llm-tests-prefect-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"

from dataclasses import dataclass
from types import ModuleType

import pytest

from harness.fake_secrets import GEMINI_KEY as FAKE_GEMINI_KEY
from harness.fakes import gemini as gemini_answers
from harness.fakes import openai_compat as local_answers
from harness.fakes.gemini import FakeGemini
from harness.fakes.openai_compat import FakeOpenAICompatible
from harness.fakes.scripted_http import ScriptedServer

GEMINI_MODEL_FOR_TESTS = "gemini-test-model"
LOCAL_MODEL_FOR_TESTS = "qwen-local-test"
TEMPERATURE_FOR_TESTS = "0.15"


@pytest.fixture(scope="session")
def prefect_harness(request):
    """A real, temporary Prefect API: the top-level `prefect_api` when it exists, else our own."""
    try:
        request.getfixturevalue("prefect_api")
    except pytest.FixtureLookupError:
        from prefect.testing.utilities import prefect_test_harness

        with prefect_test_harness(server_startup_timeout=120):
            yield
    else:
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


@pytest.fixture(autouse=True)
def no_editorbot_settings_from_the_shell(monkeypatch):
    """A developer's real EDITORBOT_* variables (a real key, say) never reach these tests."""
    for name in [n for n in os.environ if n.startswith("EDITORBOT_")]:
        monkeypatch.delenv(name)


@dataclass
class Backend:
    """One fake model server and how to read the requests it received, whatever its protocol."""

    name: str
    fake: ScriptedServer
    answers: ModuleType

    def body(self, index: int = -1) -> dict:
        return self.fake.received[index].body

    def system_prompt(self, index: int = -1) -> str:
        body = self.body(index)
        if self.name == "gemini":
            return body["systemInstruction"]["parts"][0]["text"]
        return body["messages"][0]["content"]

    def conversation(self, index: int = -1) -> list[tuple[str, str]]:
        """(role, text) of each turn after the system prompt; the model's turns are "model"."""
        body = self.body(index)
        if self.name == "gemini":
            return [(c["role"], c["parts"][0]["text"]) for c in body["contents"]]
        roles = {"user": "user", "assistant": "model"}
        return [(roles[m["role"]], m["content"]) for m in body["messages"][1:]]

    def model(self, index: int = -1) -> str:
        if self.name == "gemini":
            return self.fake.received[index].match["model"]
        return self.body(index)["model"]

    def temperature(self, index: int = -1) -> float:
        body = self.body(index)
        return (
            body["generationConfig"]["temperature"]
            if self.name == "gemini"
            else body["temperature"]
        )

    def response_schema(self, index: int = -1) -> dict:
        body = self.body(index)
        if self.name == "gemini":
            return body["generationConfig"]["responseSchema"]
        return body["response_format"]["json_schema"]["schema"]


@pytest.fixture(params=["gemini", "openai"])
def backend(request) -> Backend:
    """Each fake model server in turn, with the settings that select it."""
    if request.param == "gemini":
        return Backend("gemini", request.getfixturevalue("gemini"), gemini_answers)
    return Backend("openai", request.getfixturevalue("local_llm"), local_answers)
