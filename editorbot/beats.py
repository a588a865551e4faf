"""How each role in the beat library is usually delivered and shown."""

from typing import Literal

from editorbot.schemas import Role

Pace = Literal["slow", "medium", "fast"]
Intensity = Literal["low", "medium", "high"]
Visual = Literal["static", "motion", "text_overlay", "none"]

_FAST = {Role.HOOK, Role.PROVOCATION, Role.EVENT, Role.TURNING_POINT, Role.CALL_TO_ACTION}
_SLOW = {Role.REFLECTION, Role.INSIGHT, Role.CONCLUSION, Role.RESOLUTION, Role.IMPLICATION}
_HIGH = {Role.HOOK, Role.PROVOCATION, Role.TURNING_POINT, Role.CALL_TO_ACTION}
_LOW = {Role.REFLECTION, Role.CONTEXT, Role.SETUP, Role.ASSOCIATION}
_VISUAL: dict[Role, Visual] = {
    Role.HOOK: "text_overlay",
    Role.PROVOCATION: "text_overlay",
    Role.SUMMARY: "text_overlay",
    Role.CALL_TO_ACTION: "text_overlay",
    Role.EVENT: "motion",
    Role.EXAMPLE: "motion",
    Role.TURNING_POINT: "motion",
    Role.REFLECTION: "static",
    Role.INSIGHT: "static",
    Role.ASSOCIATION: "static",
}


def pace_for(role: Role) -> Pace:
    return "fast" if role in _FAST else "slow" if role in _SLOW else "medium"


def intensity_for(role: Role, text: str) -> Intensity:
    if role in _HIGH or "!" in text:
        return "high"
    return "low" if role in _LOW else "medium"


def visual_for(role: Role) -> Visual:
    return _VISUAL.get(role, "none")
