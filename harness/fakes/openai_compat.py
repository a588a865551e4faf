"""A fake OpenAI-compatible server on loopback: `/v1/chat/completions`, scripted answers."""

import time

from harness.fakes.scripted_http import Received, Scripted, ScriptedServer

ROUTE = r"/v1/chat/completions"


def reply(text: str, model: str = "local-model") -> Scripted:
    """A successful completion whose only choice says `text`."""
    return Scripted(
        200,
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 321, "completion_tokens": 123, "total_tokens": 444},
        },
    )


def error(status: int, message: str, kind: str, code: str | None = None) -> Scripted:
    """An error in OpenAI's shape: {"error": {message, type, param, code}}."""
    return Scripted(
        status, {"error": {"message": message, "type": kind, "param": None, "code": code}}
    )


def rate_limited() -> Scripted:
    return error(429, "Rate limit reached, retry later.", "requests", "rate_limit_exceeded")


def server_error() -> Scripted:
    return error(500, "The server had an error while processing your request.", "server_error")


def key_invalid() -> Scripted:
    return error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")


class FakeOpenAICompatible(ScriptedServer):
    """With `api_key`, refuses requests without that bearer token (llama.cpp's --api-key)."""

    def __init__(self, api_key: str | None = None):
        def gate(request: Received) -> Scripted | None:
            if api_key is None or request.headers.get("authorization") == f"Bearer {api_key}":
                return None
            return key_invalid()

        super().__init__(ROUTE, gate)
