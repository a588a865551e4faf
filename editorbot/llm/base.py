"""What every language-model engine shares: the prompts, reply checks and the repair loop."""

import logging
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from editorbot.dialects import DialectProfile
from editorbot.errors import InvalidModelReply, InvalidScript
from editorbot.llm import prompts
from editorbot.llm.replies import (
    MediationReply,
    ReplyRejected,
    ScriptDraft,
    mediation_schema,
    parse_reply,
    script_schema,
)
from editorbot.schemas import MediatedText, Script, ScriptMetadata, Template
from editorbot.text_engine import TextEngine
from editorbot.validation import validate_script

log = logging.getLogger(__name__)
# Mediation swaps words and drops fillers; losing half the words means the model summarised.
SHORTENING_FLOOR = 0.5
SHORTENING_CHECK_MIN_WORDS = 20
Answer = TypeVar("Answer")


@dataclass(frozen=True)
class Turn:
    """One message of the conversation; `model` turns are the model's own earlier replies."""

    role: Literal["user", "model"]
    text: str


def drop_http_exchange(error: BaseException) -> None:
    """Strip `error` of the HTTP request and response that SDK errors carry.

    The request holds the API key in a header, and Prefect persists a failed task's exception
    (pickled, with every attribute) to result storage: S3 in production.
    """
    for attribute in ("response", "request", "_request", "_response"):
        if getattr(error, "__dict__", {}).get(attribute) is not None:
            setattr(error, attribute, None)


class RepairsExhausted(Exception):
    """Every attempt was refused; `problems` are the last reply's, to name in the domain error."""

    def __init__(self, problems: list[str], attempts: int):
        super().__init__("; ".join(problems))
        self.problems = problems
        self.attempts = attempts


class LLMEngine(TextEngine):
    """A `TextEngine` that asks a chat model; subclasses only know how to send a conversation."""

    def __init__(self, *, model: str, temperature: float, max_attempts: int):
        self.model = model
        self.temperature = temperature
        self.max_attempts = max_attempts

    @abstractmethod
    def send(self, system: str, turns: list[Turn], schema: dict) -> str | None:
        """The model's reply to `turns` under `system`, asked to follow the JSON `schema`."""

    def ask(
        self, system: str, request: str, schema: dict, read: Callable[[str | None], Answer]
    ) -> tuple[Answer, int]:
        """The first reply `read` accepts and how many attempts it took; problems go back to
        the model until `max_attempts` replies were refused."""
        turns = [Turn("user", request)]
        for attempt in range(1, self.max_attempts + 1):
            reply = self.send(system, turns, schema)
            try:
                return read(reply), attempt
            except ReplyRejected as rejected:
                log.info("reply %d of %s refused: %s", attempt, self.model, rejected)
                problems = rejected.problems
                turns += [
                    Turn("model", reply or "(empty reply)"),
                    Turn("user", prompts.repair_request(problems)),
                ]
        raise RepairsExhausted(problems, self.max_attempts)

    def mediate(self, text: str, profile: DialectProfile, notes: list[str]) -> MediatedText:
        def read(raw: str | None) -> MediationReply:
            reply = parse_reply(raw, MediationReply)
            kept, spoken = len(reply.text.split()), len(text.split())
            if spoken >= SHORTENING_CHECK_MIN_WORDS and kept < spoken * SHORTENING_FLOOR:
                raise ReplyRejected(
                    [
                        f"the text has {kept} words but the speaker said {spoken}: mediate "
                        "the whole monologue, do not summarise it"
                    ]
                )
            return reply

        try:
            reply, _ = self.ask(
                prompts.mediation_system(profile),
                prompts.mediation_request(text, notes),
                mediation_schema(),
                read,
            )
        except RepairsExhausted as exhausted:
            raise InvalidModelReply(
                f"The model {self.model} did not return usable mediated text in "
                f"{exhausted.attempts} attempts: {exhausted}. Try again or use another model."
            ) from None
        return MediatedText(
            text=reply.text,
            source_text=text,
            dialect=profile.name,
            changes=reply.changes,
            model=self.model,
        )

    def structure(
        self,
        mediated: MediatedText,
        template: Template,
        *,
        script_id: str,
        language: str,
        revision: int,
        notes: list[str],
    ) -> Script:
        def read(raw: str | None) -> Script:
            draft = parse_reply(raw, ScriptDraft)
            script = Script(
                script_id=script_id,
                language=language,
                dialect=mediated.dialect,
                template_id=template.id,
                structure_type=template.family,
                total_duration_seconds=sum(b.estimated_duration_seconds for b in draft.beats),
                beats=draft.beats,
                metadata=ScriptMetadata(model=self.model, revision=revision, reviewer_notes=notes),
            )
            report = validate_script(script, template)
            if not report.ok:
                raise ReplyRejected(report.errors)
            script.metadata.validation_warnings = report.warnings
            return script

        try:
            script, attempts = self.ask(
                prompts.structure_system(template),
                prompts.structure_request(mediated, language, notes),
                script_schema(template),
                read,
            )
        except RepairsExhausted as exhausted:
            raise InvalidScript(
                f"The model {self.model} could not write a script that fits the {template.name} "
                f"template in {exhausted.attempts} attempts: {exhausted}. "
                "Try another template or record a longer note."
            ) from None
        script.metadata.retries = attempts - 1
        return script
