"""Errors a user can cause, each carrying a sentence they can act on."""


class EditorBotError(Exception):
    """A problem the user can fix; `str(error)` is the sentence to show them."""


class InvalidSetting(EditorBotError):
    """An `EDITORBOT_*` variable holds a value the settings cannot use."""


class BadAudio(EditorBotError):
    """The note cannot be turned into speech we can transcribe."""


class BadSource(EditorBotError):
    """The note cannot be read from where it was said to be."""


class UnknownDialect(EditorBotError):
    """No dialect profile has that name."""


class UnknownTemplate(EditorBotError):
    """No template family has that name."""


class ModelUnavailable(EditorBotError):
    """The Whisper model named in settings is missing or damaged."""


class AlreadyPublished(EditorBotError):
    """A different script was already published under this run key."""


class InvalidScript(EditorBotError):
    """A script does not satisfy its template."""


class LLMNotConfigured(EditorBotError):
    """The chosen text engine lacks a setting it needs."""


class LLMAuthError(EditorBotError):
    """The language model service refused the configured key."""


class LLMRequestRefused(EditorBotError):
    """The language model service refused the request itself (unknown model, bad request)."""


class InvalidModelReply(EditorBotError):
    """The language model kept answering with something we cannot use."""


class DraftNotApproved(EditorBotError):
    """The draft about to be published is not the one the reviewer approved."""
