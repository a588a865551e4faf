"""The offline text engine: needs nothing, runs anywhere, the embedded default."""

import re

from editorbot.dialects import DialectProfile
from editorbot.errors import InvalidScript
from editorbot.offline.mediator import mediate_offline
from editorbot.offline.structurer import build_beats
from editorbot.schemas import MediatedText, Script, ScriptMetadata, Template
from editorbot.text_engine import TextEngine
from editorbot.validation import validate_script

# The only reviewer notes rules can follow: literal edits written `old -> new`.
_EDIT = re.compile(r"^\s*(?P<old>.+?)\s*(?:->|→|=>)\s*(?P<new>.*?)\s*$")
MODEL_NAME = "offline-rules"


def apply_edits(text: str, notes: list[str]) -> tuple[str, list[str], list[str]]:
    """Apply `old -> new` lines from `notes`; returns text, what was applied, what was not."""
    applied, ignored = [], []
    for line in (line for note in notes for line in note.splitlines() if line.strip()):
        match = _EDIT.match(line)
        if not match:
            ignored.append(line.strip())
            continue
        old, new = match["old"], match["new"]
        pattern = re.compile(re.escape(old), re.IGNORECASE)
        if pattern.search(text):
            text = pattern.sub(new, text)
            applied.append(f"reviewer edit: «{old}» → «{new}»")
        else:
            ignored.append(f"«{old}» does not occur in the text")
    return text, applied, ignored


class OfflineEngine(TextEngine):
    name = MODEL_NAME

    def mediate(self, text: str, profile: DialectProfile, notes: list[str]) -> MediatedText:
        mediated, changes = mediate_offline(text, profile)
        mediated, applied, _ = apply_edits(mediated, notes)
        return MediatedText(
            text=mediated,
            source_text=text,
            dialect=profile.name,
            changes=changes + applied,
            model=MODEL_NAME,
        )

    def structure(
        self,
        mediated: MediatedText,
        template: Template,
        *,
        script_id: str,
        language: str,
        revision: int,
        notes: list[str],
    ) -> Script:
        beats = build_beats(mediated.text, template)
        _, _, ignored = apply_edits(mediated.text, notes)
        script = Script(
            script_id=script_id,
            language=language,
            dialect=mediated.dialect,
            template_id=template.id,
            structure_type=template.family,
            total_duration_seconds=sum(b.estimated_duration_seconds for b in beats),
            beats=beats,
            metadata=ScriptMetadata(model=MODEL_NAME, revision=revision, reviewer_notes=notes),
        )
        report = validate_script(script, template)
        if not report.ok:
            raise InvalidScript(
                f"This note does not fit the {template.name} template: {'; '.join(report.errors)}. "
                "Try another template or record a longer note."
            )
        script.metadata.validation_warnings = report.warnings + [
            f"the offline engine only applies «old -> new» edits; not applied: {line}"
            for line in ignored
        ]
        return script
