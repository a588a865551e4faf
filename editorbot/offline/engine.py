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


def _lines(notes: list[str]) -> list[str]:
    return [line for note in notes for line in note.splitlines() if line.strip()]


def _edit_change(old: str, new: str) -> str:
    return f"reviewer edit: «{old}» → «{new}»"


def apply_edits(text: str, notes: list[str]) -> tuple[str, list[str], list[str]]:
    """Apply `old -> new` lines from `notes`; returns text, what was applied, what was not."""
    applied, ignored = [], []
    for line in _lines(notes):
        match = _EDIT.match(line)
        if not match:
            ignored.append(line.strip())
            continue
        old, new = match["old"], match["new"]
        pattern = re.compile(re.escape(old), re.IGNORECASE)
        if pattern.search(text):
            text = pattern.sub(new, text)
            applied.append(_edit_change(old, new))
        else:
            ignored.append(f"«{old}» does not occur in the text")
    return text, applied, ignored


def unapplied_notes(notes: list[str], changes: list[str]) -> list[str]:
    """The note lines mediation did not apply, by the edits it lists in `changes`.

    Not by applying them again: the mediated text already holds the new words, not the old.
    """
    ignored = []
    for line in _lines(notes):
        match = _EDIT.match(line)
        if not match:
            ignored.append(line.strip())
        elif _edit_change(match["old"], match["new"]) not in changes:
            ignored.append(f"«{match['old']}» does not occur in the text")
    return ignored


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
        ignored = unapplied_notes(notes, mediated.changes)
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
