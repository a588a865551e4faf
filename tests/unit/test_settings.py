"""Settings refused by pydantic become one sentence naming the variable, secrets unquoted."""

import pytest
from pydantic import ValidationError

from editorbot.settings import Settings, _sentence
from harness.fake_secrets import TELEGRAM_TOKEN_SHAPED


def _refusal(**values: object) -> str:
    with pytest.raises(ValidationError) as refused:
        Settings(**values)
    return _sentence(refused.value)


def test_each_refused_variable_is_named_with_its_value_and_why():
    said = _refusal(whisper_beam_size="abc", llm_temperature="9")
    assert said == (
        "EDITORBOT_WHISPER_BEAM_SIZE='abc' is not a usable value: input should be a valid "
        "integer, unable to parse string as an integer; EDITORBOT_LLM_TEMPERATURE='9' is not a "
        "usable value: input should be less than or equal to 2."
    )


def test_a_secret_is_named_but_never_quoted():
    said = _refusal(telegram_token=[TELEGRAM_TOKEN_SHAPED])
    assert said == "EDITORBOT_TELEGRAM_TOKEN is not a usable value."
    assert TELEGRAM_TOKEN_SHAPED not in said
