"""faster-whisper (CTranslate2, int8 on CPU): the default engine."""

import os
import wave
from pathlib import Path

from editorbot.schemas import Segment, Transcript, Word
from editorbot.settings import Settings
from editorbot.whisper import Progress, WhisperEngine
from editorbot.whisper.model_store import resolve_model_dir

SAMPLE_RATE = 16_000


def _samples(wav: Path):
    """The WAV's samples as float32 in [-1, 1) when it is 16 kHz mono 16-bit, else the path.

    That is what audio cleaning writes. Read here, it skips faster-whisper's PyAV decode and
    the full garbage collection it runs after every file (a quarter of a second each time).
    """
    import numpy as np

    with wave.open(str(wav), "rb") as reader:
        if (reader.getframerate(), reader.getnchannels(), reader.getsampwidth()) != (
            SAMPLE_RATE,
            1,
            2,
        ):
            return str(wav)
        pcm = reader.readframes(reader.getnframes())
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


class FasterWhisperEngine(WhisperEngine):
    name = "faster-whisper"

    def __init__(self, model, model_name: str) -> None:
        super().__init__()
        self._model = model
        self.model = model_name

    @classmethod
    def load(cls, settings: Settings) -> "FasterWhisperEngine":
        from faster_whisper import WhisperModel

        model_dir = resolve_model_dir(settings.whisper_model, settings.model_cache)
        model = WhisperModel(
            str(model_dir),
            device="cpu",
            compute_type=settings.whisper_compute_type,
            cpu_threads=settings.whisper_threads or os.cpu_count() or 1,
            local_files_only=True,
        )
        name = "base" if settings.whisper_model is None else model_dir.name
        return cls(model, name)

    def _transcribe(
        self, wav: Path, language: str | None, beam_size: int, progress: Progress, words: bool
    ) -> Transcript:
        segments, info = self._model.transcribe(
            _samples(wav),
            language=language,
            beam_size=beam_size,
            condition_on_previous_text=False,
            # The video's captions follow the voice word by word (cost: bench/README.md).
            word_timestamps=words,
        )
        found = []
        # A generator: each segment is decoded when asked for, so progress is real progress.
        for segment in segments:
            words = [
                Word(start=w.start, end=w.end, text=w.word.strip(), probability=w.probability)
                for w in segment.words or ()
                if w.word.strip()
            ]
            text = segment.text.strip()
            found.append(Segment(start=segment.start, end=segment.end, text=text, words=words))
            progress(min(segment.end, info.duration), info.duration)
        return Transcript(
            language=info.language,
            language_probability=round(info.language_probability, 4) if language is None else None,
            duration_s=round(info.duration, 3),
            segments=found,
            engine=self.name,
            model=self.model,
        )
