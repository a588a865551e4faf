"""Regional Spanish into Spanish any Spanish speaker follows, in the speaker's voice."""

from prefect import task
from prefect.cache_policies import INPUTS, TASK_SOURCE

from editorbot.redaction import redacting_errors
from editorbot.schemas import MediatedText
from editorbot.settings import get_settings
from editorbot.text_engine import get_text_engine, resolve_profile
from tasks.cache_policies import TextEngineConfig
from tasks.transient import LLM_RETRIES


@task(
    persist_result=True,
    cache_policy=INPUTS + TASK_SOURCE + TextEngineConfig(),
    **LLM_RETRIES,
)
@redacting_errors
def mediate(text: str, dialect: str, notes: list[str]) -> MediatedText:
    """Mediate `text` with the `dialect` profile ("auto" detects it) and reviewer `notes`."""
    profile = resolve_profile(dialect, text)
    return get_text_engine(get_settings()).mediate(text, profile, notes)
