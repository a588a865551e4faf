"""The seam behind `mediate` and `structure`: offline rules now, LLMs behind the same calls."""

from abc import ABC, abstractmethod
from collections.abc import Callable

from editorbot.dialects import AUTO, DialectProfile, load_profile, profile_names
from editorbot.errors import LLMNotConfigured
from editorbot.schemas import MediatedText, Script, Template
from editorbot.settings import Settings, get_settings


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


def chosen_engine(settings: Settings) -> str:
    """The engine name settings select: `auto` prefers Gemini, then a local endpoint, then rules."""
    if settings.text_engine != "auto":
        return settings.text_engine
    if settings.gemini_api_key is not None and settings.gemini_api_key.get_secret_value():
        return "gemini"
    return "openai" if settings.llm_base_url else "offline"


def engine_identity(settings: Settings) -> dict[str, object]:
    """What decides an engine's output, for cache keys and logs; never a key."""
    name = chosen_engine(settings)
    if name == "gemini":
        return {
            "engine": name,
            "model": settings.gemini_model,
            "url": settings.gemini_base_url,
            "temperature": settings.llm_temperature,
        }
    if name == "openai":
        return {
            "engine": name,
            "model": settings.llm_model,
            "url": settings.llm_base_url,
            "temperature": settings.llm_temperature,
        }
    return {"engine": name}


def _conversation(settings: Settings) -> dict[str, float | int]:
    """How every language model is asked: temperature, replies tried, seconds per reply."""
    return {
        "temperature": settings.llm_temperature,
        "max_attempts": settings.llm_max_attempts,
        "timeout_s": settings.llm_timeout_s,
    }


def _gemini(settings: Settings) -> TextEngine:
    from editorbot.llm.gemini import GeminiEngine

    if settings.gemini_api_key is None or not settings.gemini_api_key.get_secret_value():
        raise LLMNotConfigured("The Gemini engine needs an API key: set EDITORBOT_GEMINI_API_KEY.")
    return GeminiEngine(
        api_key=settings.gemini_api_key,
        model=settings.gemini_model,
        base_url=settings.gemini_base_url,
        **_conversation(settings),
    )


def _openai_compatible(settings: Settings) -> TextEngine:
    from editorbot.llm.openai_compat import OpenAICompatibleEngine

    if not settings.llm_base_url or not settings.llm_model:
        raise LLMNotConfigured(
            "The OpenAI-compatible engine needs EDITORBOT_LLM_BASE_URL "
            "(e.g. http://127.0.0.1:11434/v1) and EDITORBOT_LLM_MODEL."
        )
    return OpenAICompatibleEngine(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        **_conversation(settings),
    )


def _offline(settings: Settings) -> TextEngine:
    from editorbot.offline.engine import OfflineEngine

    return OfflineEngine()


ENGINES: dict[str, Callable[[Settings], TextEngine]] = {
    "gemini": _gemini,
    "openai": _openai_compatible,
    "offline": _offline,
}
"""Each `EDITORBOT_TEXT_ENGINE` name and how to build it; an SDK is imported only when chosen."""


def get_text_engine(settings: Settings | None = None) -> TextEngine:
    """The engine settings choose (EDITORBOT_TEXT_ENGINE); raises LLMNotConfigured if incomplete."""
    settings = settings or get_settings()
    return ENGINES[chosen_engine(settings)](settings)
