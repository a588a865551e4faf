"""A fake Gemini API on loopback: `generateContent` in the real REST shape, scripted answers."""

from harness.fake_secrets import GEMINI_KEY as FAKE_GEMINI_KEY
from harness.fakes.scripted_http import Received, Scripted, ScriptedServer

ROUTE = r"/(?P<version>v1(?:beta)?)/models/(?P<model>[^/:]+):generateContent"


def reply(text: str) -> Scripted:
    """A successful answer whose only candidate says `text`."""
    return Scripted(
        200,
        {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"text": text}]},
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {
                "promptTokenCount": 321,
                "candidatesTokenCount": 123,
                "totalTokenCount": 444,
            },
            "modelVersion": "gemini-2.5-flash",
        },
    )


def error(code: int, status: str, message: str, reason: str | None = None) -> Scripted:
    """An error in Google's shape: {"error": {code, message, status, details}}."""
    body: dict = {"error": {"code": code, "message": message, "status": status}}
    if reason:
        body["error"]["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
            }
        ]
    return Scripted(code, body)


def rate_limited() -> Scripted:
    return error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).")


def server_error() -> Scripted:
    return error(500, "INTERNAL", "An internal error has occurred.")


def key_invalid() -> Scripted:
    # What the real API answers for a wrong key: 400, not 401.
    return error(
        400,
        "INVALID_ARGUMENT",
        "API key not valid. Please pass a valid API key.",
        "API_KEY_INVALID",
    )


class FakeGemini(ScriptedServer):
    """Answers only requests carrying `api_key`; others get Google's invalid-key answer."""

    def __init__(self, api_key: str = FAKE_GEMINI_KEY):
        def gate(request: Received) -> Scripted | None:
            return None if request.headers.get("x-goog-api-key") == api_key else key_invalid()

        super().__init__(ROUTE, gate)
