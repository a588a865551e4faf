"""Cache-key parts beyond inputs and task source: what else decides a task's result."""

from dataclasses import dataclass
from typing import Any

from prefect.cache_policies import INPUTS, TASK_SOURCE, CachePolicy
from prefect.utilities.hashing import hash_objects

from editorbot.settings import get_settings
from editorbot.text_engine import engine_identity as text_engine_identity
from editorbot.whisper import engine_identity as whisper_identity


@dataclass
class StorageTarget(CachePolicy):
    """Where the task wrote: a result cached for one store says nothing about another."""

    def compute_key(self, task_ctx, inputs, flow_parameters, **kwargs: Any) -> str | None:
        settings = get_settings()
        return hash_objects(settings.storage, settings.s3_endpoint_url)


@dataclass
class WhisperConfig(CachePolicy):
    """Which engine, model and beam width produced a transcript."""

    def compute_key(self, task_ctx, inputs, flow_parameters, **kwargs: Any) -> str | None:
        settings = get_settings()
        return hash_objects(whisper_identity(settings), settings.whisper_beam_size)


@dataclass
class TextEngineConfig(CachePolicy):
    """Which text engine, model, endpoint and temperature wrote a mediation or a script."""

    def compute_key(self, task_ctx, inputs, flow_parameters, **kwargs: Any) -> str | None:
        return hash_objects(text_engine_identity(get_settings()))


STORED_ONCE = INPUTS + TASK_SOURCE + StorageTarget()
"""For steps that write an artifact: a replayed or resumed run reuses what they wrote."""
