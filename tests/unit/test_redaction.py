"""Errors that become run states and results lose their secrets; others pass as they are."""

import importlib
import pickle
import pkgutil
import traceback

import pytest
from prefect import Flow, Task

import tasks
from editorbot.errors import BadAudio
from editorbot.redaction import REDACTED, RedactedError, redacting_errors
from flows.stages import draft, hear
from flows.voice_to_script import voice_to_script
from harness.fake_secrets import LLM_KEY, TELEGRAM_TOKEN


@pytest.fixture(autouse=True)
def configured_secrets(monkeypatch):
    monkeypatch.setenv("EDITORBOT_LLM_API_KEY", LLM_KEY)
    monkeypatch.setenv("EDITORBOT_TELEGRAM_TOKEN", TELEGRAM_TOKEN)


def _raised(error: Exception) -> Exception:
    @redacting_errors
    def step() -> None:
        raise error

    with pytest.raises(Exception) as caught:
        step()
    return caught.value


def _everything(error: BaseException) -> str:
    """The error as Prefect keeps it: its message, its traceback text, and its pickle."""
    printed = "".join(traceback.format_exception(error))
    return f"{error}\n{printed}\n{pickle.dumps(error)!r}"


def test_a_secret_in_a_message_is_redacted_and_the_type_kept():
    copy = _raised(ValueError(f"the endpoint refused key {LLM_KEY}"))
    assert type(copy) is ValueError and str(copy) == f"the endpoint refused key {REDACTED}"
    assert LLM_KEY not in _everything(copy)


def test_a_users_sentence_keeps_its_type_so_it_is_still_shown_to_them():
    copy = _raised(BadAudio(f"no sound at https://api.telegram.org/file/bot{TELEGRAM_TOKEN}/x"))
    assert isinstance(copy, BadAudio) and REDACTED in str(copy)
    assert TELEGRAM_TOKEN not in _everything(copy)
    assert TELEGRAM_TOKEN.split(":")[1] not in _everything(copy)  # alone, as URLs quote it


def test_a_secret_only_in_the_cause_is_dropped_with_the_cause():
    try:
        try:
            raise ConnectionError(f"GET /bot{TELEGRAM_TOKEN}/getMe failed")
        except ConnectionError as cause:
            raise RuntimeError("Telegram could not be reached") from cause
    except RuntimeError as error:
        copy = _raised(error)
    assert str(copy) == "Telegram could not be reached" and copy.__cause__ is None
    assert TELEGRAM_TOKEN not in _everything(copy)


class _Refused(Exception):
    def __init__(self, status: int, url: str) -> None:
        super().__init__(status, url)
        self.url = url


def test_an_error_that_cannot_be_rebuilt_from_its_message_becomes_a_redacted_error():
    copy = _raised(_Refused(401, f"https://x/bot{TELEGRAM_TOKEN}/getMe"))
    assert isinstance(copy, RedactedError) and str(copy).startswith("_Refused: ")
    assert TELEGRAM_TOKEN not in _everything(copy)


def test_an_error_without_a_secret_is_raised_as_it_was():
    error = KeyError("drafts/2026/01/01/1-2/script.json")
    assert _raised(error) is error


def _product_tasks() -> list[Task]:
    found = []
    for module in pkgutil.iter_modules(tasks.__path__):
        loaded = importlib.import_module(f"tasks.{module.name}")
        found += [value for value in vars(loaded).values() if isinstance(value, Task)]
    return found


def test_every_task_and_the_flow_redact_what_they_raise():
    guarded = redacting_errors(lambda: None).__code__
    steps: list[Task | Flow] = [*_product_tasks(), draft, hear, voice_to_script]
    assert len(steps) >= 10
    unguarded = [step.name for step in steps if step.fn.__code__ is not guarded]
    assert unguarded == []
