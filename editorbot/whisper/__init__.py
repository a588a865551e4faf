"""The transcription seam: one interface, engines behind it, one loaded model per process."""

import logging
import tempfile
import threading
import time
import wave
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path

from editorbot.schemas import Transcript
from editorbot.settings import Settings

# fmt: off
LANGUAGE_CODES = frozenset({
    "af", "am", "ar", "as", "az", "ba", "be", "bg", "bn", "bo", "br", "bs", "ca", "cs", "cy",
    "da", "de", "el", "en", "es", "et", "eu", "fa", "fi", "fo", "fr", "gl", "gu", "ha", "haw",
    "he", "hi", "hr", "ht", "hu", "hy", "id", "is", "it", "ja", "jw", "ka", "kk", "km", "kn",
    "ko", "la", "lb", "ln", "lo", "lt", "lv", "mg", "mi", "mk", "ml", "mn", "mr", "ms", "mt",
    "my", "ne", "nl", "nn", "no", "oc", "pa", "pl", "ps", "pt", "ro", "ru", "sa", "sd", "si",
    "sk", "sl", "sn", "so", "sq", "sr", "su", "sv", "sw", "ta", "te", "tg", "th", "tk", "tl",
    "tr", "tt", "uk", "ur", "uz", "vi", "yi", "yo", "zh", "yue",
})
# fmt: on
"""The languages Whisper's multilingual models know, by code: the list both engines publish
(a speech test checks it against them), kept here so a command line checks a code unloaded."""

Progress = Callable[[float, float], None]
"""Told (seconds of speech transcribed so far, the note's seconds) as a transcription goes."""

log = logging.getLogger(__name__)


class WhisperEngine(ABC):
    """A loaded speech-to-text model."""

    name: str
    model: str

    def __init__(self) -> None:
        self.transcriptions = 0  # how many times the model actually ran in this process

    @abstractmethod
    def _transcribe(
        self, wav: Path, language: str | None, beam_size: int, progress: Progress, words: bool
    ) -> Transcript: ...

    def transcribe(
        self,
        wav: Path,
        language: str,
        beam_size: int,
        progress: Progress = lambda done_s, total_s: None,
        words: bool = True,
    ) -> Transcript:
        """Transcribe a 16 kHz mono WAV; `language` "auto" detects it.

        `words` times each word (the video's captions need it). It also moves where each
        engine seeks its next 30 s window, in its own way, so the engines agree word for word
        only without it.
        """
        self.transcriptions += 1
        language = None if language == "auto" else language
        return self._transcribe(wav, language, beam_size, progress, words)

    def warm_up(self) -> Transcript:
        """Run the model once on a second of silence; returns what it heard (nothing, 1 s).

        A loaded model's first transcription is slower than the next ones (0.45 s more on a
        60 s note with the bundled model, bench/README.md): a long-lived worker pays that
        at start, not with the first creator's note. Not counted in `transcriptions`.
        """
        with tempfile.TemporaryDirectory() as tmp:
            silence = Path(tmp) / "silence.wav"
            with wave.open(str(silence), "wb") as writer:
                writer.setnchannels(1)
                writer.setsampwidth(2)
                writer.setframerate(16_000)
                writer.writeframes(bytes(2 * 16_000))
            return self._transcribe(silence, "en", 1, lambda done_s, total_s: None, True)


_engines: dict[tuple, WhisperEngine] = {}
_engines_lock = threading.Lock()


def engine_identity(settings: Settings) -> tuple:
    """What decides which model answers; a change means a different engine (and cache key)."""
    if settings.whisper_engine == "openai-whisper":
        # compute_type is ignored by this engine, so it must not split the cache.
        return ("openai-whisper", str(settings.whisper_model or "converted:base"), "float32")
    return (
        settings.whisper_engine,
        str(settings.whisper_model or "bundled:base"),
        settings.whisper_compute_type,
    )


def _load_faster_whisper(settings: Settings) -> WhisperEngine:
    from editorbot.whisper.faster import FasterWhisperEngine

    return FasterWhisperEngine.load(settings)


def _load_openai_whisper(settings: Settings) -> WhisperEngine:
    from editorbot.whisper.openai import OpenAIWhisperEngine

    return OpenAIWhisperEngine.load(settings)


ENGINES: dict[str, Callable[[Settings], WhisperEngine]] = {
    "faster-whisper": _load_faster_whisper,
    "openai-whisper": _load_openai_whisper,
}
"""Each `EDITORBOT_WHISPER_ENGINE` name and how to load it; imported only when chosen."""


def get_engine(settings: Settings) -> WhisperEngine:
    """The process-wide engine for these settings, loaded on first use."""
    identity = engine_identity(settings)
    with _engines_lock:
        if identity not in _engines:
            started = time.perf_counter()
            _engines[identity] = ENGINES[settings.whisper_engine](settings)
            # One line per load: a long-lived transcriber says it once, however many notes.
            log.info(
                "Loaded the Whisper model %s (%s) in %.1f s",
                _engines[identity].model,
                settings.whisper_engine,
                time.perf_counter() - started,
            )
        return _engines[identity]
