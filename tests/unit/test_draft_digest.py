"""A draft's digest changes with what a reader sees, and only with that."""

from datetime import UTC, datetime, timedelta

from editorbot.drafts import DIGEST_CHARS, draft_digest
from editorbot.offline.engine import OfflineEngine
from editorbot.render import script_markdown
from editorbot.schemas import MediatedText, Script
from editorbot.templates import load_template

TEXT = (
    "La inflación nos está comiendo vivos. Ayer el autobús costaba el doble que el mes "
    "pasado. Nadie lo explica y todos lo pagamos. Hay que exigir cuentas claras."
)


def _draft(text: str = TEXT) -> tuple[Script, str]:
    mediated = MediatedText(text=text, source_text=text, dialect="neutral", model="test")
    script = OfflineEngine().structure(
        mediated,
        load_template("provocation"),
        script_id="s",
        language="es",
        revision=0,
        notes=[],
    )
    return script, script_markdown(script, mediated)


def test_the_same_words_drafted_again_later_are_the_same_draft():
    script, markdown = _draft()
    later = script.model_copy(deep=True)
    later.metadata.created_at = datetime.now(UTC) + timedelta(days=3)
    later.metadata.retries = 2
    later.metadata.model = "another-model"
    assert draft_digest(later, markdown) == draft_digest(script, markdown)
    assert len(draft_digest(script, markdown)) == DIGEST_CHARS


def test_the_digest_reads_back_the_same_from_the_stored_json():
    script, markdown = _draft()
    stored = Script.model_validate_json(script.model_dump_json(indent=2))
    assert draft_digest(stored, markdown) == draft_digest(script, markdown)


def test_any_change_a_reader_sees_is_another_draft():
    script, markdown = _draft()
    digest = draft_digest(script, markdown)
    reworded = script.model_copy(deep=True)
    reworded.beats[0].text += " Sí."
    assert draft_digest(reworded, markdown) != digest  # the published JSON says more
    assert draft_digest(script, markdown + "\n") != digest  # the reviewer read otherwise
    slower = script.model_copy(deep=True)
    slower.beats[-1].pace = "slow" if slower.beats[-1].pace != "slow" else "fast"
    assert draft_digest(slower, markdown) != digest
    other, other_markdown = _draft(TEXT.replace("doble", "triple"))
    assert draft_digest(other, other_markdown) != digest
