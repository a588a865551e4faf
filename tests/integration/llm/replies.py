"""Canned model answers for the fakes: valid ones and each way a model gets it wrong."""

import json

from editorbot.schemas import estimate_seconds

VALID_MEDIATION = json.dumps(
    {
        "text": "Amigo, esa cosa es muy buena.",
        "changes": ["«pana» → «amigo»: venezolano", "«vaina» → «cosa»: venezolano"],
    },
    ensure_ascii=False,
)

_SENTENCE = "Las redes nos venden atajos que casi nunca llevan a ninguna parte que valga la pena"


def beats(*roles: str, words_per_beat: int = 30) -> list[dict]:
    """Beats with the given roles, each with `words_per_beat` words and an honest duration."""
    text = " ".join((_SENTENCE.split() * 4)[:words_per_beat]) + "."
    return [
        {
            "beat_id": f"b{index:02d}",
            "role": role,
            "text": text,
            "estimated_duration_seconds": estimate_seconds(text),
            "pace": "medium",
            "intensity": "medium",
            "visual_affinity": "none",
        }
        for index, role in enumerate(roles, start=1)
    ]


def script_json(beat_list: list[dict]) -> str:
    return json.dumps({"beats": beat_list}, ensure_ascii=False)


def valid_opinion_json() -> str:
    """Five beats of 12 s for the opinion template: 60 s, every required role, none forbidden."""
    return script_json(beats("hook", "argument", "support", "support", "conclusion"))
