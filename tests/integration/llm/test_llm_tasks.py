"""The mediate and structure tasks on a real Prefect API against fake model servers."""

import base64
import binascii
import json
from pathlib import Path

import openai
import pytest
from google.genai import errors as genai_errors
from prefect import flow
from prefect.settings import PREFECT_LOCAL_STORAGE_PATH

from editorbot.errors import LLMAuthError
from editorbot.schemas import MediatedText
from harness.fake_secrets import GEMINI_KEY as FAKE_GEMINI_KEY
from harness.fake_secrets import LLM_KEY as FAKE_LLM_KEY
from harness.fake_secrets import WRONG_GEMINI_KEY
from harness.fakes import gemini as gemini_answers
from harness.fakes import openai_compat as local_answers
from harness.fakes.openai_compat import FakeOpenAICompatible
from tasks.mediate import mediate
from tasks.structure import structure
from tests.integration.llm.replies import VALID_MEDIATION, valid_opinion_json

pytestmark = pytest.mark.usefixtures("prefect_harness")

# The decorators' backoff is minutes long; these tests check which errors retry, not the wait.
mediate_now = mediate.with_options(retry_delay_seconds=0, refresh_cache=True)
structure_now = structure.with_options(retry_delay_seconds=0, refresh_cache=True)
ATTEMPTS = 1 + mediate.retries


@flow
def mediate_flow(text: str, dialect: str, notes: list[str]) -> MediatedText:
    return mediate_now(text, dialect, notes)


@flow
def structure_flow(mediated: MediatedText, template: str, revision: int, notes: list[str]):
    return structure_now(mediated, template, "2026/11/28/42-7", "es", revision, notes)


def test_gemini_rate_limit_is_retried_by_the_task_then_succeeds(gemini):
    gemini.queue(gemini_answers.rate_limited(), gemini_answers.reply(VALID_MEDIATION))

    mediated = mediate_flow("Mi pana, esa vaina es burda de fina.", "venezuelan", [])

    assert mediated.model == "gemini-test-model"
    assert len(gemini.received) == 2


def test_gemini_server_errors_exhaust_the_task_retries(gemini):
    gemini.queue(*[gemini_answers.server_error() for _ in range(ATTEMPTS + 1)])

    with pytest.raises(genai_errors.ServerError):
        mediate_flow("Mi pana, esa vaina.", "venezuelan", [])

    assert len(gemini.received) == ATTEMPTS


def test_a_refused_gemini_key_is_not_retried_and_never_repeated(gemini, monkeypatch):
    wrong_key = WRONG_GEMINI_KEY
    monkeypatch.setenv("EDITORBOT_GEMINI_API_KEY", wrong_key)

    with pytest.raises(LLMAuthError) as refused:
        mediate_flow("Mi pana, esa vaina.", "venezuelan", [])

    assert len(gemini.received) == 1
    assert "refused the API key" in str(refused.value)
    assert wrong_key not in str(refused.value) and wrong_key not in repr(refused.value)


def _stored_bytes(path: Path) -> bytes:
    """A result file's bytes, with the base64 pickle Prefect keeps in it decoded."""
    raw = path.read_bytes()
    try:
        record = json.loads(raw)
        encoded = record["result"] if isinstance(record, dict) else raw
    except (ValueError, KeyError):
        encoded = raw
    try:
        return raw + base64.b64decode(encoded, validate=False)
    except (binascii.Error, ValueError):
        return raw


def stored_results() -> list[Path]:
    """Every file in Prefect's local result storage, where failed tasks' exceptions land."""
    return [p for p in Path(PREFECT_LOCAL_STORAGE_PATH.value()).rglob("*") if p.is_file()]


def test_no_key_reaches_prefect_result_storage_when_a_task_fails(gemini):
    gemini.queue(*[gemini_answers.server_error() for _ in range(ATTEMPTS)])
    with pytest.raises(genai_errors.ServerError):
        mediate_flow("Una nota que falla por el servidor.", "neutral", [])

    stored = stored_results()
    assert any(
        b"ServerError" in _stored_bytes(p) or b"APIError" in _stored_bytes(p) for p in stored
    )
    assert [p for p in stored if FAKE_GEMINI_KEY.encode() in _stored_bytes(p)] == []


def test_no_local_server_key_reaches_prefect_result_storage(monkeypatch):
    with FakeOpenAICompatible(api_key=FAKE_LLM_KEY) as fake:
        monkeypatch.setenv("EDITORBOT_LLM_BASE_URL", f"{fake.url}/v1")
        monkeypatch.setenv("EDITORBOT_LLM_MODEL", "qwen-local-test")
        monkeypatch.setenv("EDITORBOT_LLM_API_KEY", FAKE_LLM_KEY)
        fake.queue(*[local_answers.server_error() for _ in range(ATTEMPTS)])
        with pytest.raises(openai.InternalServerError):
            mediate_flow("Otra nota que falla por el servidor.", "neutral", [])
        assert fake.received[0].headers["authorization"] == f"Bearer {FAKE_LLM_KEY}"

    stored = stored_results()
    assert any(b"InternalServerError" in _stored_bytes(p) for p in stored)
    assert [p for p in stored if FAKE_LLM_KEY.encode() in _stored_bytes(p)] == []


def test_local_server_rate_limit_then_success_through_the_task(local_llm):
    local_llm.queue(local_answers.rate_limited(), local_answers.reply(VALID_MEDIATION))

    mediated = mediate_flow("Che, el bondi venía lleno.", "rioplatense", [])

    assert mediated.text
    assert len(local_llm.received) == 2


def test_local_server_errors_exhaust_the_task_retries(local_llm):
    local_llm.queue(*[local_answers.server_error() for _ in range(ATTEMPTS + 1)])

    with pytest.raises(openai.InternalServerError):
        mediate_flow("Che, el bondi.", "rioplatense", [])

    assert len(local_llm.received) == ATTEMPTS


def test_structure_task_records_revision_and_reviewer_notes(gemini):
    notes = ["Empieza con la pregunta, no con el saludo."]
    gemini.queue(gemini_answers.reply(valid_opinion_json()))
    mediated = MediatedText(
        text="Texto de prueba.", source_text="Texto de prueba.", dialect="neutral", model="m"
    )

    script = structure_flow(mediated, "opinion", 2, notes)

    assert script.metadata.revision == 2
    assert script.metadata.reviewer_notes == notes
    assert script.script_id
    sent = str(gemini.received[0].body["contents"])
    assert notes[0] in sent
