"""Template families as data: one TOML file each, validated into `Template`."""

import tomllib
from functools import cache
from importlib.resources import files

from editorbot.errors import UnknownTemplate
from editorbot.schemas import Template


@cache
def template_names() -> tuple[str, ...]:
    return tuple(
        sorted(
            entry.name.removesuffix(".toml")
            for entry in files(__package__).iterdir()
            if entry.name.endswith(".toml")
        )
    )


@cache
def load_template(name: str) -> Template:
    """The template called `name`; raises UnknownTemplate with the choices."""
    if name not in template_names():
        raise UnknownTemplate(
            f"There is no template called {name!r}; choose one of: {', '.join(template_names())}."
        )
    text = files(__package__).joinpath(f"{name}.toml").read_text("utf-8")
    return Template.model_validate(tomllib.loads(text))
