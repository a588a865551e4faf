"""The words we send to a language model for each step, built from profiles and templates."""

from editorbot.dialects import DialectProfile
from editorbot.schemas import WORDS_PER_SECOND, MediatedText, Template

MEDIATION_REPLY = """
Answer with one JSON object and nothing else:
{"text": "<the mediated text>", "changes": ["<what you changed> — <why>", ...]}
"changes" lists each replacement or removal in a short note; leave it empty if nothing changed.
Do not summarise, shorten, reorder or add ideas: the text is the same monologue.
"""

STRUCTURE_ROLE = """
You turn a creator's monologue into the script of a short video: a sequence of timed beats.
Each beat's text is a consecutive stretch of the monologue, in its original order and in the
creator's own words; together the beats cover the whole monologue. Do not invent content.
"""

STRUCTURE_REPLY = """
Answer with one JSON object and nothing else:
{"beats": [{"beat_id": "b01", "role": "<role>", "text": "<words of the beat>",
  "estimated_duration_seconds": <integer>, "pace": "slow|medium|fast",
  "intensity": "low|medium|high", "visual_affinity": "static|motion|text_overlay|none"}, ...]}
beat_id values are b01, b02, ... in order; every role must come from the permitted roles above.
"""


def _roles(roles) -> str:
    return ", ".join(role.value for role in roles) or "none"


def template_contract(template: Template) -> str:
    """Everything the model must respect for `template`, as a list it can check itself against."""
    bounds = template.duration
    strictness = (
        "this is a hard limit"
        if template.strict
        else "stay inside it unless the monologue is too short or too long"
    )
    return "\n".join(
        [
            f"Template: {template.name} ({template.family}). {template.description}",
            f"- Total duration: {bounds.min}–{bounds.max} seconds, about {bounds.target} s; "
            f"{strictness}.",
            f"- Number of beats: {template.min_beats} to {template.max_beats}.",
            f"- Required roles, each at least once: {_roles(template.required_roles)}.",
            f"- Allowed roles: {_roles(template.allowed_roles)}.",
            f"- Forbidden roles, never use them: {_roles(template.forbidden_roles)}.",
            f"- Typical order: {' → '.join(r.value for r in template.typical_order)}; "
            f"{template.repeatable_role.value} may repeat to carry extra material.",
            f"- Timing: spoken Spanish runs at about {WORDS_PER_SECOND} words per second, so a "
            f"beat's estimated_duration_seconds is its word count divided by {WORDS_PER_SECOND}, "
            "rounded, at least 1.",
        ]
    )


def reviewer_section(notes: list[str]) -> str:
    """Reviewer notes from earlier drafts, which outrank every other instruction."""
    if not notes:
        return ""
    lines = "\n".join(f"- {note.strip()}" for note in notes if note.strip())
    return f"\n\nA reviewer read earlier drafts and asked for this; follow it:\n{lines}"


def mediation_system(profile: DialectProfile) -> str:
    return f"{profile.system_prompt.strip()}\n{MEDIATION_REPLY}"


def mediation_request(text: str, notes: list[str]) -> str:
    return f"Mediate this transcript of a voice note:\n\n{text}{reviewer_section(notes)}"


def structure_system(template: Template) -> str:
    return f"{STRUCTURE_ROLE.strip()}\n\n{template_contract(template)}\n{STRUCTURE_REPLY}"


def structure_request(mediated: MediatedText, language: str, notes: list[str]) -> str:
    return (
        f"Language: {language}. Write the beats for this monologue:\n\n{mediated.text}"
        f"{reviewer_section(notes)}"
    )


def repair_request(problems: list[str]) -> str:
    """Sent after an unusable reply: what was wrong, and a request for the whole answer again."""
    listed = "\n".join(f"- {problem}" for problem in problems)
    return (
        f"Your previous answer cannot be used:\n{listed}\n"
        "Answer again with the complete JSON object, fixing every point above."
    )
