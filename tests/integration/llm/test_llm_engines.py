"""Both LLM engines, through their real SDKs, against fake servers speaking the real protocols."""

import json
import socket

import pytest

from editorbot.dialects import load_profile
from editorbot.errors import InvalidModelReply, InvalidScript, LLMAuthError, LLMRequestRefused
from editorbot.llm.prompts import template_contract
from editorbot.llm.replies import ScriptDraft
from editorbot.schemas import MediatedText, Script, ScriptMetadata
from editorbot.settings import get_settings
from editorbot.templates import load_template
from editorbot.text_engine import get_text_engine
from editorbot.validation import validate_script
from harness.fake_secrets import LLM_KEY, WRONG_GEMINI_KEY, WRONG_LLM_KEY
from harness.fakes import gemini as gemini_answers
from tasks.mediate import mediate
from tasks.transient import is_transient
from tests.integration.llm.conftest import (
    GEMINI_MODEL_FOR_TESTS,
    LOCAL_MODEL_FOR_TESTS,
    TEMPERATURE_FOR_TESTS,
)
from tests.integration.llm.replies import VALID_MEDIATION, beats, script_json, valid_opinion_json

MONOLOGUE = MediatedText(
    text="Las redes nos venden atajos. Casi nunca llevan a ninguna parte.",
    source_text="Las redes nos venden atajos. Casi nunca llevan a ninguna parte.",
    dialect="neutral",
    model="test",
)
OPINION = load_template("opinion")


def template_errors(reply: str) -> list[str]:
    """What the validator says about `reply` as an opinion script, in its current wording."""
    draft = ScriptDraft.model_validate_json(reply)
    script = Script(
        script_id="s",
        language="es",
        dialect="neutral",
        template_id="opinion",
        structure_type="opinion",
        total_duration_seconds=sum(b.estimated_duration_seconds for b in draft.beats),
        beats=draft.beats,
        metadata=ScriptMetadata(model="test"),
    )
    return validate_script(script, OPINION).errors


def structure(notes: list[str] | None = None, revision: int = 0):
    return get_text_engine(get_settings()).structure(
        MONOLOGUE,
        OPINION,
        script_id="2026-11-28-42-7",
        language="es",
        revision=revision,
        notes=notes or [],
    )


def test_a_valid_script_is_accepted_first_time(backend):
    backend.fake.queue(backend.answers.reply(valid_opinion_json()))

    script = structure()

    assert [b.role.value for b in script.beats] == [
        "hook",
        "argument",
        "support",
        "support",
        "conclusion",
    ]
    assert script.total_duration_seconds == sum(b.estimated_duration_seconds for b in script.beats)
    assert script.template_id == "opinion"
    assert script.metadata.retries == 0
    assert len(backend.fake.received) == 1


def test_the_request_carries_model_temperature_and_template_contract(backend):
    backend.fake.queue(backend.answers.reply(valid_opinion_json()))

    script = structure()

    expected_model = GEMINI_MODEL_FOR_TESTS if backend.name == "gemini" else LOCAL_MODEL_FOR_TESTS
    assert backend.model() == expected_model
    assert script.metadata.model == expected_model
    assert backend.temperature() == pytest.approx(float(TEMPERATURE_FOR_TESTS))
    assert template_contract(OPINION) in backend.system_prompt()
    assert "60–90 seconds" in backend.system_prompt()
    assert "2.5 words per second" in backend.system_prompt()
    assert MONOLOGUE.text in backend.conversation()[0][1]


def test_the_response_schema_allows_only_the_template_roles(backend):
    backend.fake.queue(backend.answers.reply(valid_opinion_json()))

    structure()

    beats_schema = backend.response_schema()["properties"]["beats"]
    roles = set(beats_schema["items"]["properties"]["role"]["enum"])
    assert roles == {"hook", "argument", "support", "counterpoint", "conclusion"}
    # google-genai sends proto field names (max_items); Google's JSON parser takes both forms.
    max_items = beats_schema.get("maxItems", beats_schema.get("max_items"))
    assert int(max_items) == OPINION.max_beats


def test_fenced_json_is_read_without_a_repair(backend):
    backend.fake.queue(backend.answers.reply(f"```json\n{valid_opinion_json()}\n```"))

    script = structure()

    assert script.metadata.retries == 0
    assert len(backend.fake.received) == 1


def test_invalid_json_is_sent_back_and_the_retry_is_used(backend):
    broken = '{"beats": [{"beat_id": "b01", "role": "hook",'
    backend.fake.queue(backend.answers.reply(broken), backend.answers.reply(valid_opinion_json()))

    script = structure()

    assert script.metadata.retries == 1
    repair = backend.conversation()
    assert repair[1] == ("model", broken)
    assert repair[2][0] == "user" and "not valid JSON" in repair[2][1]
    assert template_contract(OPINION) in backend.system_prompt()


def test_a_schema_violation_is_repaired(backend):
    bad = beats("hook", "argument", "conclusion")
    bad[1]["estimated_duration_seconds"] = 0
    del bad[2]["pace"]
    backend.fake.queue(
        backend.answers.reply(script_json(bad)), backend.answers.reply(valid_opinion_json())
    )

    script = structure()

    assert script.metadata.retries == 1
    feedback = backend.conversation()[-1][1]
    assert "beats.1.estimated_duration_seconds" in feedback
    assert "beats.2.pace" in feedback


def test_a_template_violation_is_repaired(backend):
    forbidden = script_json(beats("hook", "reflection", "conclusion"))
    backend.fake.queue(
        backend.answers.reply(forbidden), backend.answers.reply(valid_opinion_json())
    )

    script = structure()

    assert script.metadata.retries == 1
    feedback = backend.conversation()[-1][1]
    errors = template_errors(forbidden)
    assert len(errors) == 2  # no argument beat, and a forbidden reflection beat
    assert all(error in feedback for error in errors)


def test_exhausted_repairs_raise_invalid_script_naming_the_problems(backend, monkeypatch):
    monkeypatch.setenv("EDITORBOT_LLM_MAX_ATTEMPTS", "2")
    only_hooks = backend.answers.reply(script_json(beats("hook")))
    backend.fake.queue(only_hooks, only_hooks, only_hooks)

    with pytest.raises(InvalidScript) as refused:
        structure()

    assert len(backend.fake.received) == 2
    message = str(refused.value)
    assert "in 2 attempts" in message
    errors = template_errors(script_json(beats("hook")))
    assert len(errors) == 2  # too few beats, and no argument beat
    assert all(error in message for error in errors)


def test_reviewer_notes_and_revision_reach_the_next_draft(backend):
    notes = ["Quita la conclusión, termina con el argumento más fuerte."]
    backend.fake.queue(backend.answers.reply(valid_opinion_json()))

    script = structure(notes=notes, revision=1)

    assert notes[0] in backend.conversation()[0][1]
    assert script.metadata.revision == 1
    assert script.metadata.reviewer_notes == notes


def test_mediation_uses_the_profile_system_prompt_and_returns_changes(backend):
    profile = load_profile("venezuelan")
    backend.fake.queue(backend.answers.reply(VALID_MEDIATION))

    mediated = get_text_engine(get_settings()).mediate(
        "Mi pana, esa vaina es burda de buena.", profile, ["No cambies «burda»."]
    )

    assert mediated.text == "Amigo, esa cosa es muy buena."
    assert mediated.changes == json.loads(VALID_MEDIATION)["changes"]
    assert mediated.dialect == "venezuelan"
    assert profile.system_prompt.strip() in backend.system_prompt()
    first = backend.conversation()[0][1]
    assert "Mi pana, esa vaina es burda de buena." in first and "No cambies «burda»." in first


def test_auto_dialect_sends_the_detected_profile_prompt(backend):
    backend.fake.queue(backend.answers.reply(VALID_MEDIATION))

    mediated = mediate.fn("Che, el bondi venía lleno y la guita no alcanza.", "auto", [])

    assert mediated.dialect == "rioplatense"
    assert load_profile("rioplatense").system_prompt.strip() in backend.system_prompt()


def test_unusable_mediation_replies_end_in_a_clear_error(backend, monkeypatch):
    monkeypatch.setenv("EDITORBOT_LLM_MAX_ATTEMPTS", "2")
    backend.fake.queue(backend.answers.reply("Claro, aquí va."), backend.answers.reply("{}"))

    with pytest.raises(InvalidModelReply) as refused:
        get_text_engine(get_settings()).mediate("Hola.", load_profile("neutral"), [])

    assert "not valid JSON" not in str(refused.value)  # the last problem is the one named
    assert "text: Field required" in str(refused.value)
    assert "Claro, aquí va." in backend.conversation()[1][1]


def test_a_summary_instead_of_a_mediation_is_sent_back(backend):
    spoken = " ".join(["Mi pana, la vaina es que el trabajo no alcanza para nada."] * 3)
    summary = json.dumps({"text": "El trabajo no alcanza.", "changes": []})
    whole = json.dumps({"text": spoken.replace("pana", "amigo"), "changes": ["pana → amigo"]})
    backend.fake.queue(backend.answers.reply(summary), backend.answers.reply(whole))

    mediated = get_text_engine(get_settings()).mediate(spoken, load_profile("venezuelan"), [])

    assert mediated.text.startswith("Mi amigo, la vaina")
    assert len(backend.fake.received) == 2
    assert "do not summarise" in backend.conversation()[-1][1]


def test_gemini_wrong_key_is_refused_once_without_echoing_it(gemini, monkeypatch):
    wrong_key = WRONG_GEMINI_KEY
    monkeypatch.setenv("EDITORBOT_GEMINI_API_KEY", wrong_key)

    with pytest.raises(LLMAuthError) as refused:
        structure()

    assert len(gemini.received) == 1
    assert gemini.received[0].headers["x-goog-api-key"] == wrong_key
    assert "Gemini refused the API key" in str(refused.value)
    assert wrong_key not in str(refused.value)


@pytest.mark.parametrize("status", [401, 403])
def test_gemini_permission_errors_are_key_refusals(gemini, status):
    gemini.queue(gemini_error(status))

    with pytest.raises(LLMAuthError, match="EDITORBOT_GEMINI_API_KEY"):
        structure()


def test_local_server_wrong_key_is_refused_without_echoing_it(monkeypatch):
    from harness.fakes.openai_compat import FakeOpenAICompatible

    wrong_key = WRONG_LLM_KEY
    with FakeOpenAICompatible(api_key=LLM_KEY) as fake:
        monkeypatch.setenv("EDITORBOT_LLM_BASE_URL", f"{fake.url}/v1")
        monkeypatch.setenv("EDITORBOT_LLM_MODEL", LOCAL_MODEL_FOR_TESTS)
        monkeypatch.setenv("EDITORBOT_LLM_API_KEY", wrong_key)

        with pytest.raises(LLMAuthError, match="EDITORBOT_LLM_API_KEY") as refused:
            structure()

        assert len(fake.received) == 1
        assert fake.received[0].headers["authorization"] == f"Bearer {wrong_key}"
    assert wrong_key not in str(refused.value)


def test_an_unknown_gemini_model_is_named(gemini):
    gemini.queue(gemini_not_found())

    with pytest.raises(LLMRequestRefused, match=GEMINI_MODEL_FOR_TESTS):
        structure()


def gemini_error(status: int):
    from harness.fakes import gemini as answers

    name = {401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED"}[status]
    return answers.error(status, name, "The caller does not have permission.")


def gemini_not_found():
    from harness.fakes import gemini as answers

    return answers.error(
        404, "NOT_FOUND", f"models/{GEMINI_MODEL_FOR_TESTS} is not found for API version v1beta."
    )


def test_a_slow_server_times_out_as_a_transient_error(backend, monkeypatch):
    from harness.fakes.scripted_http import Scripted

    monkeypatch.setenv("EDITORBOT_LLM_TIMEOUT_S", "0.3")
    slow = backend.answers.reply(VALID_MEDIATION)
    backend.fake.queue(Scripted(slow.status, slow.body, delay_s=1.5))

    with pytest.raises(Exception) as raised:
        get_text_engine(get_settings()).mediate("Hola.", load_profile("neutral"), [])

    assert is_transient(raised.value), repr(raised.value)


def test_a_server_that_is_down_is_a_transient_error(backend, monkeypatch):
    variable = "EDITORBOT_GEMINI_BASE_URL" if backend.name == "gemini" else "EDITORBOT_LLM_BASE_URL"
    monkeypatch.setenv(variable, f"http://127.0.0.1:{unused_port()}/v1")

    with pytest.raises(Exception) as raised:
        get_text_engine(get_settings()).mediate("Hola.", load_profile("neutral"), [])

    assert is_transient(raised.value), repr(raised.value)


def test_a_blocked_gemini_answer_is_sent_back_as_empty(gemini):
    from harness.fakes.scripted_http import Scripted

    blocked = Scripted(200, {"promptFeedback": {"blockReason": "OTHER"}, "candidates": []})
    gemini.queue(blocked, gemini_answers.reply(VALID_MEDIATION))

    mediated = get_text_engine(get_settings()).mediate("Hola.", load_profile("neutral"), [])

    assert mediated.text
    assert "empty" in gemini.received[1].body["contents"][-1]["parts"][0]["text"]


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
