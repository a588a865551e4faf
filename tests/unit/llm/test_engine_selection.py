"""Which text engine the settings choose, and what it needs before it can run."""

import pytest

from editorbot.errors import LLMNotConfigured
from editorbot.llm.gemini import GeminiEngine
from editorbot.llm.openai_compat import OpenAICompatibleEngine
from editorbot.offline.engine import OfflineEngine
from editorbot.settings import Settings
from editorbot.text_engine import chosen_engine, engine_identity, get_text_engine
from harness.fake_secrets import GEMINI_KEY

KEY = GEMINI_KEY
LOCAL = {"llm_base_url": "http://127.0.0.1:11434/v1", "llm_model": "qwen2.5"}


@pytest.mark.parametrize(
    ("settings", "engine"),
    [
        ({}, OfflineEngine),
        ({"gemini_api_key": KEY}, GeminiEngine),
        ({"gemini_api_key": KEY, **LOCAL}, GeminiEngine),
        (LOCAL, OpenAICompatibleEngine),
        ({"gemini_api_key": ""}, OfflineEngine),
        ({"text_engine": "offline", "gemini_api_key": KEY}, OfflineEngine),
        ({"text_engine": "openai", "gemini_api_key": KEY, **LOCAL}, OpenAICompatibleEngine),
    ],
)
def test_auto_prefers_gemini_then_a_local_endpoint_then_rules(settings, engine):
    assert isinstance(get_text_engine(Settings(**settings)), engine)


def test_settings_come_from_editorbot_variables(monkeypatch):
    monkeypatch.setenv("EDITORBOT_GEMINI_API_KEY", KEY)
    monkeypatch.setenv("EDITORBOT_GEMINI_MODEL", "gemini-2.5-pro")
    monkeypatch.setenv("EDITORBOT_LLM_TEMPERATURE", "0.9")
    engine = get_text_engine(Settings())
    assert (engine.model, engine.temperature) == ("gemini-2.5-pro", 0.9)


def test_the_default_gemini_model_is_2_5_flash():
    assert get_text_engine(Settings(gemini_api_key=KEY)).model == "gemini-2.5-flash"


def test_gemini_without_a_key_says_which_variable_to_set():
    with pytest.raises(LLMNotConfigured, match="EDITORBOT_GEMINI_API_KEY"):
        get_text_engine(Settings(text_engine="gemini"))


def test_openai_without_a_model_says_which_variables_to_set():
    with pytest.raises(LLMNotConfigured, match="EDITORBOT_LLM_MODEL"):
        get_text_engine(Settings(text_engine="openai", llm_base_url=LOCAL["llm_base_url"]))


def test_the_identity_in_cache_keys_names_the_model_but_never_the_key():
    identity = engine_identity(Settings(gemini_api_key=KEY, llm_temperature=0.2))
    assert identity["engine"] == "gemini" and identity["model"] == "gemini-2.5-flash"
    assert KEY not in repr(identity)
    assert identity != engine_identity(Settings(gemini_api_key=KEY, llm_temperature=0.7))
    assert chosen_engine(Settings()) == "offline"


def test_the_key_is_never_in_the_settings_repr():
    assert KEY not in repr(Settings(gemini_api_key=KEY, llm_api_key=KEY))
