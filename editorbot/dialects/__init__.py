"""Dialect profiles as data: one TOML file each; adding a profile is adding a file."""

import tomllib
from functools import cache
from importlib.resources import files

from pydantic import BaseModel, Field

from editorbot.errors import UnknownDialect

AUTO = "auto"


class LexiconEntry(BaseModel):
    regional: str
    neutral: str
    note: str
    before_word: bool = Field(
        default=False, description="Only replace when another word follows (intensifiers)."
    )


class DialectProfile(BaseModel):
    name: str
    label: str
    description: str
    system_prompt: str
    lexicon: list[LexiconEntry] = Field(default_factory=list)


class Fillers(BaseModel):
    anywhere: list[str]
    between_commas: list[str]


def _read(name: str) -> dict:
    return tomllib.loads(files(__package__).joinpath(f"{name}.toml").read_text("utf-8"))


@cache
def profile_names() -> tuple[str, ...]:
    """Every profile shipped, by name."""
    return tuple(
        sorted(
            entry.name.removesuffix(".toml")
            for entry in files(__package__).iterdir()
            if entry.name.endswith(".toml") and entry.name != "fillers.toml"
        )
    )


@cache
def load_profile(name: str) -> DialectProfile:
    """The profile called `name`; raises UnknownDialect with the choices."""
    if name not in profile_names():
        raise UnknownDialect(
            f"There is no dialect profile called {name!r}; choose one of: "
            f"{', '.join((*profile_names(), AUTO))}."
        )
    return DialectProfile.model_validate(_read(name))


@cache
def load_fillers() -> Fillers:
    return Fillers.model_validate(_read("fillers"))
