"""The seam behind `mediate` and `structure`: offline rules now, LLMs behind the same calls."""

from abc import ABC, abstractmethod

from editorbot.dialects import AUTO, DialectProfile, load_profile, profile_names
from editorbot.schemas import MediatedText, Script, Template


class TextEngine(ABC):
    """Turns a transcript into mediated text, and mediated text into a script."""

    name: str

    @abstractmethod
    def mediate(self, text: str, profile: DialectProfile, notes: list[str]) -> MediatedText:
        """Mediate `text` with `profile`, honouring reviewer `notes` from earlier revisions."""

    @abstractmethod
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
        """A script for `template`; raises InvalidScript when it cannot satisfy the template."""


def resolve_profile(name: str, text: str) -> DialectProfile:
    """The named profile, or for `auto` the one whose lexicon the text matches best."""
    if name != AUTO:
        return load_profile(name)
    from editorbot.offline.mediator import detect_profile

    detected = detect_profile(text, [load_profile(n) for n in profile_names()])
    return detected or load_profile("neutral")


def get_text_engine() -> TextEngine:
    """The engine settings choose; only the offline engine exists so far."""
    from editorbot.offline.engine import OfflineEngine

    return OfflineEngine()
