"""Every fake secret the tests hand to the code, in one place: the session's log scan looks
for each of them (tests/secret_scan.py), so a test needing a new one adds it here.

All are obviously fake and reach nothing but the fakes on loopback.
"""

# The bot tests' token; the fake Bot API serves it in its URLs.
TELEGRAM_TOKEN = "123456:TEST-TOKEN-not-real"
# Shaped like a real token (digits, colon, 35 characters), so redaction by shape sees it too.
TELEGRAM_TOKEN_SHAPED = "123456789:FAKE-telegram-token-for-tests-only-xyz"
GEMINI_KEY = "fake-gemini-key-for-tests"
# Split in two so secret scanners (gitleaks in CI) do not take this fake for a real key.
GEMINI_KEY_SHAPED = "AIza" + "FAKE-gemini-key-for-tests-only-0123"
WRONG_GEMINI_KEY = "fake-wrong-gemini-key-0000"
LLM_KEY = "fake-llm-key-for-tests"
WRONG_LLM_KEY = "fake-wrong-llm-key-5678"
PREFECT_AUTH_STRING = "editorbot:fake-password-for-tests-only"
WRONG_PREFECT_AUTH_STRING = "editorbot:wrong-password"
DATABASE_PASSWORD = "fake-db-password"
AWS_SECRET_ACCESS_KEY = "testing-not-a-real-secret"
GITHUB_TOKEN = "fake-github-token-for-tests-only"

# Every constant above, by name: a new one is scanned for without another edit.
SECRETS = {name: value for name, value in dict(globals()).items() if name.isupper()}
