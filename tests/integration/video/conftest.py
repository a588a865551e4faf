"""A real Spanish note, transcribed by the real model, planned and rendered once per session."""

from pathlib import Path

import pytest

from editorbot.audio import clean_audio
from editorbot.schemas import Beat, Role, Script, ScriptMetadata, Transcript
from editorbot.settings import Settings
from editorbot.video.background import OfflineBackgrounds
from editorbot.video.compiler import compile_render_plan
from editorbot.video.ffmpeg import render_file
from editorbot.video.formats import FORMATS
from editorbot.video.plan import RenderPlan, VoiceTrack
from editorbot.whisper import get_engine
from tests.conftest import DATA

RUN_KEY = "2026/01/02/cli-5ca1ab1e0000"

# What the reviewer approved for tests/data/es_rioplatense_synth.ogg ("Mirá che te voy a
# contar algo que me pasó el otro día en el colectivo. Estaba re cansado y un pibe se puso a
# hablar de la inflación"): mediated words, a ñ, a long word and emoji that must not show.
HOOK = "Mira, te voy a contar algo que me pasó el otro día en el autobús 🚌."
ARGUMENT = "Estaba muy cansado y un niño se puso a hablar de la inflación interminablemente 📈."


def approved_script() -> Script:
    beats = [
        Beat(beat_id="b01", role=Role.HOOK, text=HOOK, estimated_duration_seconds=5, pace="fast"),
        Beat(
            beat_id="b02",
            role=Role.ARGUMENT,
            text=ARGUMENT,
            estimated_duration_seconds=5,
            pace="medium",
        ),
    ]
    return Script(
        script_id="s-video",
        language="es",
        dialect="rioplatense",
        template_id="opinion",
        structure_type="opinion",
        total_duration_seconds=10,
        beats=beats,
        metadata=ScriptMetadata(model="test"),
    )


@pytest.fixture(scope="session")
def spanish_note(tmp_path_factory) -> tuple[Path, Transcript]:
    """The cleaned WAV of the Spanish clip and the real model's transcript with word timings."""
    folder = tmp_path_factory.mktemp("spanish-note")
    clean = clean_audio((DATA / "es_rioplatense_synth.ogg").read_bytes(), 600, -50)
    wav = folder / "voice.wav"
    wav.write_bytes(clean.wav)
    return wav, get_engine(Settings()).transcribe(wav, "es", 1)


@pytest.fixture(scope="session")
def spanish_plan(spanish_note) -> RenderPlan:
    _, transcript = spanish_note
    script = approved_script()
    return compile_render_plan(
        script,
        transcript,
        VoiceTrack(key="audio/cleaned/x.wav", duration_s=transcript.duration_s),
        list(FORMATS.values()),
        OfflineBackgrounds().background(script, "opinion"),
        RUN_KEY,
        "opinion",
    )


@pytest.fixture(scope="session")
def rendered(spanish_note, spanish_plan, tmp_path_factory) -> dict[str, Path]:
    """Every format of the plan rendered once: format id to the MP4."""
    wav, _ = spanish_note
    videos = {}
    for fmt in spanish_plan.formats:
        workdir = tmp_path_factory.mktemp(f"render-{fmt.id}")
        videos[fmt.id] = render_file(spanish_plan, fmt.id, wav, workdir)
    return videos
