"""Reading model replies: fences, JSON, schema problems, and the schemas we ask for."""

import pytest

from editorbot.llm.replies import (
    MediationReply,
    ReplyRejected,
    ScriptDraft,
    beat_schema,
    parse_reply,
    script_schema,
    strip_fences,
)
from editorbot.schemas import Beat, Role
from editorbot.templates import load_template, template_names


@pytest.mark.parametrize(
    "reply",
    [
        '{"text": "hola", "changes": []}',
        '```json\n{"text": "hola", "changes": []}\n```',
        '```\n{"text": "hola", "changes": []}\n```',
        '  ```JSON\n{"text": "hola", "changes": []}```  ',
    ],
)
def test_fenced_and_bare_json_read_the_same(reply):
    assert parse_reply(reply, MediationReply) == MediationReply(text="hola", changes=[])


def test_text_around_a_fence_is_not_taken_for_json():
    with pytest.raises(ReplyRejected, match="not valid JSON"):
        parse_reply('Aquí está:\n```json\n{"text": "hola"}\n```', MediationReply)


def test_strip_fences_keeps_unfenced_replies():
    assert strip_fences('  {"a": 1}\n') == '{"a": 1}'


@pytest.mark.parametrize("reply", [None, "", "   "])
def test_an_empty_reply_is_a_problem_to_send_back(reply):
    with pytest.raises(ReplyRejected, match="empty"):
        parse_reply(reply, MediationReply)


def test_schema_problems_name_the_field():
    with pytest.raises(ReplyRejected) as rejected:
        parse_reply(
            '{"beats": [{"beat_id": "b01", "role": "dance", "text": "", "pace": "slow"}]}',
            ScriptDraft,
        )
    problems = rejected.value.problems
    assert any(p.startswith("beats.0.role:") for p in problems)
    assert any(p.startswith("beats.0.text:") for p in problems)
    assert any(p.startswith("beats.0.estimated_duration_seconds: Field required") for p in problems)


def test_an_empty_beat_list_is_refused():
    with pytest.raises(ReplyRejected, match="beats"):
        parse_reply('{"beats": []}', ScriptDraft)


@pytest.mark.parametrize("name", template_names())
def test_beat_schema_follows_beat_and_narrows_roles(name):
    template = load_template(name)
    schema = beat_schema(template)

    assert set(schema["properties"]) == set(Beat.model_fields)
    assert set(schema["required"]) == {
        field for field, info in Beat.model_fields.items() if info.is_required()
    }
    roles = schema["properties"]["role"]["enum"]
    assert {Role(r) for r in roles} == template.permitted_roles
    assert not set(roles) & {r.value for r in template.forbidden_roles}
    assert schema["properties"]["estimated_duration_seconds"] == {"type": "integer", "minimum": 1}


def test_script_schema_bounds_the_beat_count():
    template = load_template("provocation")
    beats = script_schema(template)["properties"]["beats"]
    assert (beats["minItems"], beats["maxItems"]) == (template.min_beats, template.max_beats)
