"""faster-whisper (CTranslate2, int8 on CPU): the default engine."""

import os
from pathlib import Path

from editorbot.schemas import Segment, Transcript, Word
from editorbot.settings import Settings
from editorbot.whisper import WhisperEngine
from editorbot.whisper.model_store import resolve_model_dir


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

    def _transcribe(self, wav: Path, language: str | None, beam_size: int) -> Transcript:
        segments, info = self._model.transcribe(
            str(wav),
            language=language,
            beam_size=beam_size,
            condition_on_previous_text=False,
            # The video's captions follow the voice word by word (cost: bench/README.md).
            word_timestamps=True,
        )
        return Transcript(
            language=info.language,
            language_probability=round(info.language_probability, 4) if language is None else None,
            duration_s=round(info.duration, 3),
            segments=[
                Segment(
                    start=s.start,
                    end=s.end,
                    text=s.text.strip(),
                    words=[
                        Word(
                            start=w.start, end=w.end, text=w.word.strip(), probability=w.probability
                        )
                        for w in s.words or ()
                        if w.word.strip()
                    ],
                )
                for s in segments
            ],
            engine=self.name,
            model=self.model,
        )
