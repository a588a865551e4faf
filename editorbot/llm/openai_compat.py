"""Any OpenAI-compatible chat endpoint (Ollama, llama.cpp server, vLLM) for fully local runs."""

import openai
from pydantic import SecretStr

from editorbot.errors import LLMAuthError, LLMRequestRefused
from editorbot.llm.base import LLMEngine, Turn, drop_http_exchange

# Local servers usually need no key, but the SDK insists on one; this one is sent as-is.
NO_KEY = "no-key"
# Timeout, conflict and rate limit: OpenAI's API reference documents 409 as "try again".
TRANSIENT_CLIENT_CODES = (408, 409, 429)
_ROLES = {"user": "user", "model": "assistant"}


def is_transient(error: BaseException) -> bool:
    """Rate limits, timeouts, conflicts and 5xx from the endpoint, and requests never answered."""
    if isinstance(error, openai.APIStatusError):
        return error.status_code in TRANSIENT_CLIENT_CODES or 500 <= error.status_code < 600
    # APITimeoutError is an APIConnectionError: both mean the request never got an answer.
    return isinstance(error, openai.APIConnectionError)


class OpenAICompatibleEngine(LLMEngine):
    name = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        temperature: float,
        max_attempts: int,
        timeout_s: float,
        api_key: SecretStr | None = None,
    ):
        super().__init__(model=model, temperature=temperature, max_attempts=max_attempts)
        self.base_url = base_url
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key.get_secret_value() if api_key else NO_KEY,
            timeout=timeout_s,
            max_retries=0,  # the Prefect task owns retries; two layers would multiply them
        )

    def send(self, system: str, turns: list[Turn], schema: dict) -> str | None:
        messages = [{"role": "system", "content": system}] + [
            {"role": _ROLES[turn.role], "content": turn.text} for turn in turns
        ]
        try:
            completion = self._client.chat.completions.create(
                model=self.model,
                messages=messages,
                temperature=self.temperature,
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "reply", "schema": schema, "strict": False},
                },
            )
        except openai.APIStatusError as error:
            if is_transient(error):
                drop_http_exchange(error)
                raise  # the task's retry policy decides
            raise self._refusal(error) from None
        except Exception as error:  # timeouts, dropped connections: the task decides
            drop_http_exchange(error)
            raise
        if not completion.choices:
            return None
        return completion.choices[0].message.content

    def _refusal(self, error: openai.APIStatusError) -> Exception:
        if error.status_code in (401, 403):
            return LLMAuthError(
                f"The model server at {self.base_url} refused the API key "
                f"({error.status_code}); check EDITORBOT_LLM_API_KEY."
            )
        if error.status_code == 404:
            return LLMRequestRefused(
                f"The model server at {self.base_url} has no model {self.model!r} "
                "(or no chat endpoint there); check EDITORBOT_LLM_MODEL and EDITORBOT_LLM_BASE_URL."
            )
        return LLMRequestRefused(
            f"The model server at {self.base_url} refused the request ({error.status_code}): "
            f"{error.message}"
        )
