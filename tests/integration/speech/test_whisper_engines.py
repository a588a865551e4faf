"""Both Whisper engines against the same real speech and the same expectations."""

import hashlib
import shutil

import pytest
from engines_under_test import engine_settings, openai_whisper_missing

from bench.wer import word_error_rate
from editorbot.schemas import StoredAudio
from editorbot.storage import configured_storage
from editorbot.whisper import LANGUAGE_CODES, get_engine
from editorbot.whisper.convert import converted_base_model
from tasks.transcribe import transcribe


def test_librivox_word_error_rate_is_at_most_5_percent(engine, transcript_of, references):
    transcript = transcript_of(engine, "librivox_26s.ogg", "en")

    assert (transcript.engine, transcript.model, transcript.language) == (engine.name, "base", "en")
    assert transcript.language_probability is None  # only measured when detecting
    assert word_error_rate(references["librivox_26s.ogg"], transcript.text) <= 0.05


def test_segments_are_in_order_and_inside_the_audio(engine, transcript_of):
    transcript = transcript_of(engine, "librivox_26s.ogg", "en")
    times = [(s.start, s.end) for s in transcript.segments]

    assert times == sorted(times)
    assert all(start < end for start, end in times)
    assert abs(transcript.duration_s - 26.2) < 0.2
    assert times[-1][1] <= transcript.duration_s + 0.5


def test_every_word_is_timed_in_order_inside_its_segment(engine, transcript_of):
    transcript = transcript_of(engine, "librivox_26s.ogg", "en")
    words = transcript.words

    # The words spell the segments' text in the order they were said (Whisper may split a
    # hyphenated word: "ill" "-disposed").
    assert "".join(w.text for w in words) == "".join(transcript.text.split())
    starts = [w.start for w in words]
    assert starts == sorted(starts) and all(w.start <= w.end for w in words)
    for segment in transcript.segments:
        assert all(segment.start - 0.05 <= w.start <= segment.end + 0.05 for w in segment.words)
    # "Dashwood" is said about a second into the clip, after "And Mr. John".
    dashwood = next(w for w in words if w.text.startswith("Dashwood"))
    assert 0.5 < dashwood.start < 2.0


def test_auto_detects_spanish_and_reports_how_sure_it_is(engine, transcript_of):
    transcript = transcript_of(engine, "es_rioplatense_synth.ogg", "auto")

    assert transcript.language == "es"
    assert 0.5 < transcript.language_probability <= 1.0
    assert "colectivo" in transcript.text.lower()


def test_our_language_codes_are_the_ones_the_engine_publishes(engine):
    if engine.name == "faster-whisper":
        published = engine._model.supported_languages
    else:
        from whisper.tokenizer import LANGUAGES as published
    assert set(published) == LANGUAGE_CODES


def test_the_model_is_loaded_once_per_process(
    engine, model_cache, speech_wav, prefect_api, data_dir, monkeypatch
):
    """The transcribe step takes the model this process already loaded; it loads no other."""
    assert get_engine(engine_settings(engine.name, model_cache)) is engine
    settings = {
        "EDITORBOT_WHISPER_ENGINE": engine.name,
        "EDITORBOT_MODEL_CACHE": str(model_cache),
        "EDITORBOT_WHISPER_COMPUTE_TYPE": "int8",
        "EDITORBOT_WHISPER_THREADS": "0",
    }
    for name, value in settings.items():  # the step reads its settings from the environment
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("EDITORBOT_WHISPER_MODEL", raising=False)
    wav = speech_wav("es_rioplatense_synth.ogg").read_bytes()
    cleaned = StoredAudio(
        key=f"audio/cleaned/test/{engine.name}.wav",
        sha256=hashlib.sha256(wav).hexdigest(),
        size_bytes=len(wav),
    )
    configured_storage().put(cleaned.key, wav)
    before = engine.transcriptions

    transcript = transcribe.fn(cleaned, "es")

    assert "colectivo" in transcript.text.lower()
    assert engine.transcriptions == before + 1  # this model ran it, not a second one


def test_the_converted_model_transcribes_exactly_like_the_original(model_cache, transcript_of):
    """Greedy decoding of the same weights at the same precision must give the same words."""
    if reason := openai_whisper_missing():
        pytest.skip(reason)
    # float32 on both sides: int8 quantization alone drops a word of this clip ("And" at 52.8 s),
    # which says nothing about the conversion.
    original = get_engine(
        engine_settings("faster-whisper", model_cache, whisper_compute_type="float32")
    )
    converted = get_engine(engine_settings("openai-whisper", model_cache))

    # Without word timings: each engine uses them to pick its next window its own way.
    expected = transcript_of(original, "speech_60s.ogg", "en", beam_size=1, words=False)
    actual = transcript_of(converted, "speech_60s.ogg", "en", beam_size=1, words=False)

    assert len(expected.text.split()) > 150
    assert actual.text == expected.text
    assert [(round(s.start, 2), round(s.end, 2)) for s in actual.segments] == [
        (round(s.start, 2), round(s.end, 2)) for s in expected.segments
    ]


def test_openai_whisper_uses_the_checkpoint_named_in_settings(model_cache, transcript_of, tmp_path):
    if reason := openai_whisper_missing():
        pytest.skip(reason)
    checkpoint = tmp_path / "my-base.pt"
    shutil.copyfile(converted_base_model(model_cache), checkpoint)
    engine = get_engine(engine_settings("openai-whisper", model_cache, whisper_model=checkpoint))

    transcript = transcript_of(engine, "es_rioplatense_synth.ogg", "es")

    assert (transcript.engine, transcript.model) == ("openai-whisper", "my-base")
    assert "colectivo" in transcript.text.lower()


def test_warming_up_runs_the_model_without_counting_a_transcription(engine):
    before = engine.transcriptions

    heard = engine.warm_up()

    assert (heard.engine, heard.duration_s) == (engine.name, 1.0)  # the model ran on 1 s
    assert engine.transcriptions == before  # a warm-up is not a note
