"""Mediated text into a script of timed beats that fits the chosen template."""

from prefect import task
from prefect.cache_policies import INPUTS, TASK_SOURCE

from editorbot.redaction import redacting_errors
from editorbot.run_key import run_key_slug
from editorbot.schemas import MediatedText, Script
from editorbot.settings import get_settings
from editorbot.templates import load_template
from editorbot.text_engine import get_text_engine
from tasks.cache_policies import TextEngineConfig
from tasks.transient import LLM_RETRIES


@task(
    persist_result=True,
    cache_policy=INPUTS + TASK_SOURCE + TextEngineConfig(),
    **LLM_RETRIES,
)
@redacting_errors
def structure(
    mediated: MediatedText,
    template: str,
    run_key: str,
    language: str,
    revision: int,
    notes: list[str],
) -> Script:
    """A validated `Script` for `template`; raises InvalidScript with the reasons."""
    return get_text_engine(get_settings()).structure(
        mediated,
        load_template(template),
        script_id=run_key_slug(run_key),
        language=language,
        revision=revision,
        notes=notes,
    )
