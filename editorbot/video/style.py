"""Each template family's look, as data (styles.toml), and the beat titles per language."""

import tomllib
from functools import cache
from importlib.resources import files

from pydantic import BaseModel

from editorbot.schemas import Role
from editorbot.video.plan import Background, HexColour


class FamilyStyle(BaseModel):
    background: Background
    highlight: HexColour


@cache
def _styles() -> dict:
    return tomllib.loads(files(__package__).joinpath("styles.toml").read_text("utf-8"))


def family_style(family: str) -> FamilyStyle:
    """The look of `family`'s videos; an unknown family looks like an essay (plain colour)."""
    families = _styles()["families"]
    return FamilyStyle.model_validate(families.get(family, families["essay"]))


def beat_title(role: Role, language: str) -> str:
    """The title shown over a beat: what it does, in Spanish unless another language has titles."""
    titles = _styles()["titles"]
    return titles.get(language, titles["es"])[role.value]
