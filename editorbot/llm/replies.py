"""What the model must answer with: the reply shapes, their JSON schemas, and how to read them."""

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

from editorbot.schemas import Beat, Template

Reply = TypeVar("Reply", bound=BaseModel)
_FENCE = re.compile(r"^\s*```[\w-]*\s*\n?(?P<body>.*?)\n?\s*```\s*$", re.DOTALL)


class ReplyRejected(Exception):
    """A reply we cannot use; `problems` are sentences to send back to the model."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class MediationReply(BaseModel):
    text: str = Field(min_length=1, description="The mediated text, in the speaker's voice.")
    changes: list[str] = Field(
        default_factory=list, description="One short note per change: what changed and why."
    )


class ScriptDraft(BaseModel):
    """The part of a `Script` the model writes; ids, totals and metadata are ours."""

    beats: list[Beat] = Field(min_length=1)


def strip_fences(reply: str) -> str:
    """The JSON inside a ```json fence, or the reply as it is when it has none."""
    match = _FENCE.match(reply)
    return match["body"] if match else reply.strip()


def read_json(reply: str | None) -> Any:
    """The reply as JSON; raises ReplyRejected saying why it is not."""
    if not reply or not reply.strip():
        raise ReplyRejected(["the reply was empty; answer with the JSON object"])
    try:
        return json.loads(strip_fences(reply))
    except json.JSONDecodeError as error:
        raise ReplyRejected([f"the reply is not valid JSON ({error})"]) from None


def schema_problems(error: ValidationError) -> list[str]:
    """Pydantic's complaints as sentences that point at the offending field."""
    problems = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "the reply"
        problems.append(f"{where}: {item['msg']}")
    return problems


def parse_reply(reply: str | None, shape: type[Reply]) -> Reply:
    """The reply validated into `shape`; raises ReplyRejected listing every problem."""
    data = read_json(reply)
    try:
        return shape.model_validate(data)
    except ValidationError as error:
        raise ReplyRejected(schema_problems(error)) from None


def mediation_schema() -> dict:
    """The JSON schema a mediation reply must follow."""
    return {
        "type": "object",
        "properties": {
            "text": {
                "type": "string",
                "description": MediationReply.model_fields["text"].description,
            },
            "changes": {
                "type": "array",
                "items": {"type": "string"},
                "description": MediationReply.model_fields["changes"].description,
            },
        },
        "required": ["text", "changes"],
    }


def _plain(prop: dict) -> dict:
    """One `Beat` property in the subset of JSON schema every backend accepts (no refs, no null)."""
    if "anyOf" in prop:  # an optional field: the non-null branch, left out of `required`
        prop = next(branch for branch in prop["anyOf"] if branch.get("type") != "null")
    plain = {key: prop[key] for key in ("type", "enum", "minLength") if key in prop}
    if "exclusiveMinimum" in prop:
        plain["minimum"] = prop["exclusiveMinimum"] + 1
    return plain


def beat_schema(template: Template) -> dict:
    """`Beat`'s JSON schema with `role` narrowed to the roles `template` permits."""
    source = Beat.model_json_schema()
    properties = {}
    for name, prop in source["properties"].items():
        if name == "role":
            roles = [
                role.value for role in template.typical_order if role in template.permitted_roles
            ]
            roles += sorted(r.value for r in template.permitted_roles if r.value not in roles)
            properties[name] = {"type": "string", "enum": roles}
        else:
            properties[name] = _plain(prop)
    return {"type": "object", "properties": properties, "required": source["required"]}


def script_schema(template: Template) -> dict:
    """The JSON schema a structure reply must follow for `template`."""
    return {
        "type": "object",
        "properties": {
            "beats": {
                "type": "array",
                "items": beat_schema(template),
                "minItems": template.min_beats,
                "maxItems": template.max_beats,
            }
        },
        "required": ["beats"],
    }
