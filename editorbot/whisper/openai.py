"""openai-whisper (PyTorch, fp32 on CPU): the alternative engine named in the original design."""

from pathlib import Path

from editorbot.errors import ModelUnavailable
from editorbot.schemas import Segment, Transcript, Word
from editorbot.settings import Settings
from editorbot.whisper import Progress, WhisperEngine
from editorbot.whisper.convert import OPENAI_WHISPER_INSTALL, converted_base_model, import_torch

# faster-whisper's defaults too, so both engines fall back the same way when greedy fails.
_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def import_openai_whisper():
    """The `whisper` module, or a sentence saying how to install the extra."""
    import_torch()
    try:
        import whisper
    except ImportError:
        raise ModelUnavailable(
            "The openai-whisper engine is not installed; install it with "
            f"`{OPENAI_WHISPER_INSTALL}`, or set EDITORBOT_WHISPER_ENGINE=faster-whisper."
        ) from None
    return whisper


def resolve_checkpoint(settings: Settings) -> Path:
    """The .pt to load: the configured one if set, else the converted bundled base model."""
    if settings.whisper_model is None:
        return converted_base_model(settings.model_cache)
    configured = Path(settings.whisper_model).expanduser()
    if configured.is_dir() and (configured / "model.bin").is_file():
        raise ModelUnavailable(
            f"{configured} is a CTranslate2 model; openai-whisper needs a .pt file. Convert it "
            f"with `editorbot models convert --to openai-whisper --model {configured}`."
        )
    if not configured.is_file():
        raise ModelUnavailable(
            f"No openai-whisper model at {configured}; unset EDITORBOT_WHISPER_MODEL to use "
            "the bundled base model, converted on first use."
        )
    return configured


class OpenAIWhisperEngine(WhisperEngine):
    name = "openai-whisper"

    def __init__(self, model, model_name: str) -> None:
        super().__init__()
        self._model = model
        self.model = model_name

    @classmethod
    def load(cls, settings: Settings) -> "OpenAIWhisperEngine":
        whisper = import_openai_whisper()
        checkpoint = resolve_checkpoint(settings)
        if settings.whisper_threads:
            import_torch().set_num_threads(settings.whisper_threads)
        # fp32: CPUs have no fast fp16 path, and openai-whisper would fall back with a warning.
        model = whisper.load_model(str(checkpoint), device="cpu").float()
        name = "base" if settings.whisper_model is None else checkpoint.stem
        return cls(model, name)

    def _detect_language(self, audio) -> tuple[str, float]:
        """The most likely language of the first 30 s, as openai-whisper itself would pick it."""
        if not self._model.is_multilingual:
            return "en", 1.0  # English-only models have no language tokens to score
        import whisper
        from whisper.audio import N_FRAMES, N_SAMPLES

        mel = whisper.log_mel_spectrogram(audio, self._model.dims.n_mels, padding=N_SAMPLES)
        _, probabilities = self._model.detect_language(whisper.pad_or_trim(mel, N_FRAMES))
        language = max(probabilities, key=probabilities.get)
        return language, float(probabilities[language])

    def _transcribe(
        self, wav: Path, language: str | None, beam_size: int, progress: Progress, words: bool
    ) -> Transcript:
        import whisper

        audio = whisper.load_audio(str(wav))
        probability = None
        if language is None:
            language, probability = self._detect_language(audio)
        result = self._model.transcribe(
            audio,
            language=language,
            task="transcribe",
            temperature=_TEMPERATURES,
            # beam_size=None selects openai-whisper's greedy decoder, the same search as beam 1.
            beam_size=beam_size if beam_size > 1 else None,
            condition_on_previous_text=False,
            fp16=False,
            verbose=None,
            word_timestamps=words,
        )
        duration = len(audio) / whisper.audio.SAMPLE_RATE
        progress(duration, duration)  # openai-whisper tells nothing before it is done
        return Transcript(
            language=language,
            language_probability=round(probability, 4) if probability is not None else None,
            duration_s=round(duration, 3),
            segments=[
                # The last 30 s window is padded with silence and its final timestamp can land
                # past the end of the audio (seen: 334.6 s of a 330.0 s note); clamp it.
                Segment(
                    start=min(s["start"], duration),
                    end=min(s["end"], duration),
                    text=s["text"].strip(),
                    words=[
                        Word(
                            start=min(w["start"], duration),
                            end=min(w["end"], duration),
                            text=w["word"].strip(),
                            probability=w.get("probability"),
                        )
                        for w in s.get("words", ())
                        if w["word"].strip()
                    ],
                )
                for s in result["segments"]
            ],
            engine=self.name,
            model=self.model,
        )
