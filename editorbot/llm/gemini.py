"""Gemini through the maintained `google-genai` SDK, with JSON-schema output."""

import importlib

from google import genai
from google.genai import errors, types
from pydantic import SecretStr

from editorbot.errors import LLMAuthError, LLMRequestRefused
from editorbot.llm.base import LLMEngine, Turn, drop_http_exchange

# v1beta is the SDK's own default for the Gemini API and the version that documents
# system instructions and response schemas; a base URL override keeps the same path shape.
API_VERSION = "v1beta"
# Request timeout and rate limiting: worth another try later, unlike other 4xx answers.
# Not 409: Gemini's error reference does not list it, so a conflict there is not "try again".
TRANSIENT_CLIENT_CODES = (408, 429)


def is_transient(error: BaseException) -> bool:
    """Gemini's rate limits, timeouts and 5xx, and its HTTP client's transport failures."""
    if isinstance(error, errors.APIError):
        return isinstance(error.code, int) and (
            error.code in TRANSIENT_CLIENT_CODES or 500 <= error.code < 600
        )
    # google-genai lets its HTTP client's errors through; it may use httpx or its fork httpx2.
    for client in ("httpx", "httpx2"):
        try:
            http = importlib.import_module(client)
        except ImportError:
            continue
        if isinstance(error, http.TimeoutException | http.NetworkError | http.RemoteProtocolError):
            return True
    return False


def _is_refused_key(error: errors.ClientError) -> bool:
    # Gemini answers a malformed or revoked key with 400 INVALID_ARGUMENT, not 401.
    if error.code in (401, 403):
        return True
    return error.code == 400 and "API_KEY_INVALID" in str(error.details)


class GeminiEngine(LLMEngine):
    name = "gemini"

    def __init__(
        self,
        *,
        api_key: SecretStr,
        model: str,
        temperature: float,
        max_attempts: int,
        timeout_s: float,
        base_url: str | None = None,
    ):
        super().__init__(model=model, temperature=temperature, max_attempts=max_attempts)
        self._client = genai.Client(
            api_key=api_key.get_secret_value(),
            vertexai=False,
            http_options=types.HttpOptions(
                base_url=base_url, api_version=API_VERSION, timeout=int(timeout_s * 1000)
            ),
        )

    def send(self, system: str, turns: list[Turn], schema: dict) -> str | None:
        config = types.GenerateContentConfig(
            system_instruction=system,
            temperature=self.temperature,
            response_mime_type="application/json",
            response_schema=schema,
        )
        contents = [
            types.Content(role=turn.role, parts=[types.Part.from_text(text=turn.text)])
            for turn in turns
        ]
        try:
            response = self._client.models.generate_content(
                model=self.model, contents=contents, config=config
            )
        except errors.ClientError as error:
            if is_transient(error):
                drop_http_exchange(error)
                raise  # the task's retry policy decides
            raise self._refusal(error) from None
        except Exception as error:  # 5xx, timeouts, dropped connections: the task decides
            drop_http_exchange(error)
            raise
        return response.text

    def _refusal(self, error: errors.ClientError) -> Exception:
        if _is_refused_key(error):
            return LLMAuthError(
                f"Gemini refused the API key ({error.code} {error.status}); "
                "check EDITORBOT_GEMINI_API_KEY."
            )
        if error.code == 404:
            return LLMRequestRefused(
                f"Gemini has no model called {self.model!r}; check EDITORBOT_GEMINI_MODEL."
            )
        return LLMRequestRefused(
            f"Gemini refused the request ({error.code} {error.status}): {error.message}"
        )
