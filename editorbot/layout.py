"""The storage layout: every key prefix the application touches, read from layout.json."""

import json
from importlib.resources import files

# Terraform's storage module reads the same file (infra/modules/storage/main.tf), so what
# the code may touch and what the containers' roles are granted are one list.
LAYOUT_FILE = files("editorbot") / "layout.json"

PREFIXES: dict[str, str] = {
    area: entry["prefix"]
    for area, entry in json.loads(LAYOUT_FILE.read_text("utf-8"))["prefixes"].items()
}


class OutsideLayout(ValueError):
    """A key or listing prefix that no prefix of the layout covers."""


def check_in_layout(key: str) -> str:
    """Return `key` unchanged, or refuse it when it lies outside every prefix of the layout."""
    if not any(key.startswith(prefix) for prefix in PREFIXES.values()):
        raise OutsideLayout(
            f"{key!r} lies outside the storage layout ({', '.join(PREFIXES.values())}), "
            "where the containers' roles may not read or write; declare its prefix in "
            "editorbot/layout.json first."
        )
    return key
