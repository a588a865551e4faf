"""Scripts and transcripts made to measure for the video stage's pure functions."""

from editorbot.schemas import Beat, Role, Script, ScriptMetadata, Segment, Transcript, Word
from editorbot.video.compiler import compile_render_plan
from editorbot.video.formats import FORMATS
from editorbot.video.plan import Background, RenderPlan, VoiceTrack

RUN_KEY = "2026/01/02/cli-0123456789ab"
GRADIENT = Background(kind="gradient", colours=["#102030", "#405060"])


def spoken(text: str, start: float = 0.5, step: float = 0.4, pause_after: int = 0) -> list[Word]:
    """`text` said one word every `step` seconds, with a 1 s pause after word `pause_after`."""
    words, at = [], start
    for index, word in enumerate(text.split()):
        words.append(Word(start=round(at, 3), end=round(at + step * 0.8, 3), text=word))
        at += step + (1.0 if pause_after and index + 1 == pause_after else 0.0)
    return words


def transcript_of(words: list[Word], duration_s: float) -> Transcript:
    segment = Segment(
        start=words[0].start, end=words[-1].end, text=" ".join(w.text for w in words), words=words
    )
    return Transcript(
        language="es", duration_s=duration_s, segments=[segment], engine="test", model="none"
    )


def script_of(*beats: tuple[Role, str], template: str = "opinion") -> Script:
    made = [
        Beat(
            beat_id=f"b{i:02d}",
            role=role,
            text=text,
            estimated_duration_seconds=max(1, round(len(text.split()) / 2.5)),
            pace="medium",
        )
        for i, (role, text) in enumerate(beats, start=1)
    ]
    return Script(
        script_id="s-test",
        language="es",
        dialect="neutral",
        template_id=template,
        structure_type=template,
        total_duration_seconds=sum(b.estimated_duration_seconds for b in made),
        beats=made,
        metadata=ScriptMetadata(model="test"),
    )


def plan_for(
    script: Script,
    transcript: Transcript | None,
    formats=("9x16", "16x9", "1x1", "4x5", "preview"),
    background: Background = GRADIENT,
) -> RenderPlan:
    voice = (
        VoiceTrack(key="audio/cleaned/x.wav", duration_s=transcript.duration_s)
        if transcript is not None
        else None
    )
    return compile_render_plan(
        script, transcript, voice, [FORMATS[f] for f in formats], background, RUN_KEY, "opinion"
    )
