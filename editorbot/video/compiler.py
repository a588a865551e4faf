"""Compile an approved script, the voice's word timings and the template's look into a plan."""

from collections.abc import Sequence
from itertools import pairwise

from editorbot.schemas import Beat, Script, Transcript
from editorbot.video.alignment import Timed, align, spoken_words
from editorbot.video.captions import chunk_words
from editorbot.video.fonts import drawable
from editorbot.video.plan import (
    Background,
    CaptionStyle,
    Encoder,
    PlanBeat,
    RenderPlan,
    TimedWord,
    VideoFormat,
    VoiceTrack,
    load_render_plan,
)
from editorbot.video.style import beat_title, family_style

MIN_WORD_S = 0.04
"""Words squeezed into no time (mediation added them) still get a sliver, in order."""


def _burned_words(beat: Beat) -> list[str]:
    """The beat's words as burned in; a lone dash or quote rides with the word before it."""
    words: list[str] = []
    for token in drawable(beat.text).split():
        if words and not any(c.isalnum() for c in token):
            words[-1] += " " + token
        else:
            words.append(token)
    return words


def _untangle(timed: list[Timed], duration_s: float) -> None:
    """Starts strictly increasing and inside the voice, so every chunk has a moment of its own."""
    for before, word in pairwise(timed):
        word.start = max(word.start, before.start + MIN_WORD_S)
    latest = duration_s - MIN_WORD_S
    for word in reversed(timed):
        word.start = min(word.start, latest)
        word.end = min(max(word.end, word.start), duration_s)
        latest = word.start - MIN_WORD_S


def _storyboard(beats: list[list[str]], seconds: list[int]) -> list[list[Timed]]:
    """A typed idea: each beat's words spread evenly over the beat's estimated duration."""
    timed, at = [], 0.0
    for words, length in zip(beats, seconds, strict=True):
        step = length / max(len(words), 1)
        timed.append(
            [Timed(w, at + i * step, at + (i + 1) * step, heard=False) for i, w in enumerate(words)]
        )
        at += length
    return timed


def _by_beat(timed: list[Timed], sizes: list[int]) -> list[list[Timed]]:
    out, at = [], 0
    for size in sizes:
        out.append(timed[at : at + size])
        at += size
    return out


def compile_render_plan(
    script: Script,
    transcript: Transcript | None,
    voice: VoiceTrack | None,
    formats: Sequence[VideoFormat],
    background: Background,
    run_key: str,
    family: str,
    encoder: Encoder | None = None,
) -> RenderPlan:
    """The plan for `script`: beats anchored to where the voice says them (a silent storyboard
    timed by the beats when there is no recording), captions in 2–4-word chunks, the family's
    colours. InvalidRenderPlan if the result is not a plan a video can be made from."""
    words = [_burned_words(beat) for beat in script.beats]
    if voice is None or transcript is None:
        duration = float(sum(b.estimated_duration_seconds for b in script.beats))
        voice = VoiceTrack(duration_s=duration)
        per_beat = _storyboard(words, [b.estimated_duration_seconds for b in script.beats])
        timings = ["storyboard"] * len(script.beats)
    else:
        flat = align(
            [w for beat in words for w in beat], spoken_words(transcript), voice.duration_s
        )
        _untangle(flat, voice.duration_s)
        per_beat = _by_beat(flat, [len(w) for w in words])
        timings = [
            "aligned" if beat and all(w.heard for w in beat) else "spread" for beat in per_beat
        ]

    starts = [beat[0].start if beat else None for beat in per_beat]
    plan_beats = []
    for index, (beat, timed) in enumerate(zip(script.beats, per_beat, strict=True)):
        # Beats tile the voice: each runs from its first word to the next beat's first word.
        if starts[index] is None:  # a beat whose every character was an emoji has nothing to show
            continue
        start = 0.0 if not plan_beats else starts[index]
        later = [s for s in starts[index + 1 :] if s is not None]
        end = later[0] if later else voice.duration_s
        plan_beats.append(
            PlanBeat(
                beat_id=beat.beat_id,
                role=beat.role,
                title=drawable(beat_title(beat.role, script.language)),
                text=" ".join(w.text for w in timed),
                start=start,
                end=end,
                timing=timings[index],
                chunks=chunk_words(
                    [TimedWord(text=w.text, start=w.start, end=w.end) for w in timed],
                    formats,
                    end,
                ),
            )
        )
    plan = {
        "run_key": run_key,
        "script_id": script.script_id,
        "template_id": script.template_id,
        "family": family,
        "language": script.language,
        "voice": voice.model_dump(),
        "beats": [b.model_dump() for b in plan_beats],
        "formats": [f.model_dump() for f in formats],
        "background": background.model_dump(),
        "style": CaptionStyle(highlight=family_style(family).highlight).model_dump(),
        "encoder": (encoder or Encoder()).model_dump(),
    }
    return load_render_plan(plan)
