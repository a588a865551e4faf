"""Offline structuring fits every template, and the validator catches what breaks one."""

import pytest

from editorbot.errors import InvalidScript
from editorbot.offline.engine import OfflineEngine, apply_edits
from editorbot.offline.structurer import chunk_text, plan_roles
from editorbot.schemas import Beat, MediatedText, Role, Script, estimate_seconds
from editorbot.templates import load_template, template_names
from editorbot.validation import validate_script

STORY = (
    "Te voy a contar la historia de mi primer trabajo. Yo tenía diecinueve años y necesitaba "
    "dinero para la universidad. Un amigo me consiguió un trabajo en una panadería de Caracas. "
    "El primer día llegué a las cuatro de la mañana y el jefe me dijo que la cosa era seria. "
    "Aprendí a hacer pan, a atender a la gente y a no quejarme. Al final entendí algo que "
    "todavía uso. El trabajo duro no es castigo, es escuela. Y eso me cambió la vida."
)


def _structure(text: str, template: str, notes: list[str] | None = None) -> Script:
    mediated = MediatedText(text=text, source_text=text, dialect="neutral", model="test")
    return OfflineEngine().structure(
        mediated,
        load_template(template),
        script_id="s",
        language="es",
        revision=0,
        notes=notes or [],
    )


@pytest.mark.parametrize("name", template_names())
def test_every_template_gets_a_valid_script(name):
    template = load_template(name)
    script = _structure(STORY, name)
    roles = [b.role for b in script.beats]
    assert set(template.required_roles) <= set(roles)
    assert not set(roles) & set(template.forbidden_roles)
    assert template.min_beats <= len(roles) <= template.max_beats
    assert script.total_duration_seconds == sum(b.estimated_duration_seconds for b in script.beats)
    assert " ".join(b.text for b in script.beats).split() == STORY.split()  # nothing lost
    assert validate_script(script, template).ok


def test_durations_follow_the_words():
    script = _structure(STORY, "story")
    for beat in script.beats:
        assert beat.estimated_duration_seconds == estimate_seconds(beat.text)
    assert script.total_duration_seconds == pytest.approx(len(STORY.split()) / 2.5, abs=4)


def test_role_plan_trims_optional_roles_and_pads_with_the_repeatable_one():
    story = load_template("story")
    assert plan_roles(story, 3) == [Role.SETUP, Role.EVENT, Role.RESOLUTION]
    assert plan_roles(story, 6) == [
        Role.SETUP,
        Role.EVENT,
        Role.EVENT,
        Role.TURNING_POINT,
        Role.RESOLUTION,
        Role.REFLECTION,
    ]


def test_one_long_sentence_is_split_at_clauses_to_fill_required_beats():
    chunks = chunk_text("Llegué temprano, el jefe me miró, y empecé a trabajar sin parar.", 3)
    assert chunks == ["Llegué temprano,", "el jefe me miró,", "y empecé a trabajar sin parar."]


def test_too_short_a_note_for_the_template_is_explained():
    with pytest.raises(
        InvalidScript,
        match=r"1 beat; the Story template takes 3 to 8.*needs a beat of role resolution",
    ):
        _structure("Hola.", "story")


def test_short_notes_carry_a_duration_warning_for_the_reviewer():
    script = _structure(STORY, "opinion")
    assert any("expects 60–90 s" in w for w in script.metadata.validation_warnings)


def test_a_strict_template_turns_the_duration_warning_into_an_error():
    relaxed = load_template("opinion")
    strict = relaxed.model_copy(update={"strict": True})
    script = _structure(STORY, "opinion")  # fits every rule but the duration
    (warning,) = [w for w in validate_script(script, relaxed).warnings if "expects 60–90 s" in w]
    report = validate_script(script, strict)
    assert warning in report.errors and warning not in report.warnings
    mediated = MediatedText(text=STORY, source_text=STORY, dialect="neutral", model="test")
    with pytest.raises(InvalidScript, match="expects 60–90 s"):
        OfflineEngine().structure(
            mediated, strict, script_id="s", language="es", revision=0, notes=[]
        )


def test_validator_reports_forbidden_missing_and_foreign_roles():
    beats = [
        Beat(
            beat_id="b1",
            role=Role.REFLECTION,
            text="Pienso.",
            estimated_duration_seconds=70,
            pace="slow",
        ),
        Beat(
            beat_id="b1", role=Role.EVENT, text="Pasó.", estimated_duration_seconds=5, pace="fast"
        ),
    ]
    script = Script(
        script_id="s",
        language="es",
        dialect="neutral",
        template_id="opinion",
        structure_type="opinion",
        total_duration_seconds=75,
        beats=beats,
        metadata={"model": "test"},
    )
    errors = " | ".join(validate_script(script, load_template("opinion")).errors)
    assert "role hook" in errors and "role argument" in errors
    assert "forbids reflection" in errors and "event beats are not part" in errors
    assert "share a beat_id" in errors


def test_total_must_equal_the_sum_of_beats():
    with pytest.raises(ValueError, match="add up to 5"):
        Script(
            script_id="s",
            language="es",
            dialect="neutral",
            template_id="provocation",
            structure_type="provocation",
            total_duration_seconds=9,
            metadata={"model": "t"},
            beats=[
                Beat(
                    beat_id="b1",
                    role=Role.PROVOCATION,
                    text="¡No!",
                    estimated_duration_seconds=5,
                    pace="fast",
                )
            ],
        )


def test_reviewer_edits_apply_and_free_text_is_reported_not_faked():
    text, applied, ignored = apply_edits(STORY, ["trabajo duro -> esfuerzo\nmore energy please"])
    assert "El esfuerzo no es castigo" in text and applied
    assert ignored == ["more energy please"]
    script = _structure(STORY, "story", notes=["more energy please"])
    assert any("more energy please" in w for w in script.metadata.validation_warnings)


def test_an_edit_mediation_applied_is_not_reported_as_not_applied():
    from editorbot.dialects import load_profile

    engine, notes = OfflineEngine(), ["trabajo duro -> esfuerzo\nnever said -> anything"]
    mediated = engine.mediate(STORY, load_profile("neutral"), notes)
    assert "reviewer edit: «trabajo duro» → «esfuerzo»" in mediated.changes
    script = engine.structure(
        mediated,
        load_template("story"),
        script_id="s",
        language="es",
        revision=1,
        notes=notes,
    )
    not_applied = [w for w in script.metadata.validation_warnings if "not applied" in w]
    assert not_applied == [
        "the offline engine only applies «old -> new» edits; not applied: "
        "«never said» does not occur in the text"
    ]
