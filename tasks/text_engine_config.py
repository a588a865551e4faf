"""The text engine's identity as part of a cache key, so switching model never reuses a draft."""

from dataclasses import dataclass
from typing import Any

from prefect.cache_policies import CachePolicy
from prefect.utilities.hashing import hash_objects

from editorbot.settings import get_settings
from editorbot.text_engine import engine_identity

# Gemini's per-minute quotas refill within a minute; a local server restarting takes seconds.
LLM_RETRY_DELAYS_S = [5, 20, 60]


@dataclass
class TextEngineConfig(CachePolicy):
    """Part of the cache key: which engine, model, endpoint and temperature wrote the result."""

    def compute_key(self, task_ctx, inputs, flow_parameters, **kwargs: Any) -> str | None:
        return hash_objects(engine_identity(get_settings()))
