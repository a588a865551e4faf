"""The layers read one way: bot -> flows -> tasks -> kernel, shells on top, stand-ins apart.

Every module's imports are read with `ast` (those inside functions too), so a lazy import
that points the wrong way is caught like any other.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("editorbot", "tasks", "flows", "bot", "shells")
STAND_INS = ("harness", "bench", "tests")

FORBIDDEN: dict[str, set[str]] = {
    # The kernel: settings, schemas, storage, engines and their adapters. No orchestrator.
    "editorbot": {"tasks", "flows", "bot", "shells", "prefect", "prefect_aws", *STAND_INS},
    "tasks": {"flows", "bot", "shells", *STAND_INS},
    "flows": {"bot", "shells", *STAND_INS},
    # The bot reaches the pipeline through flows/ only, and Telegram through the kernel.
    "bot": {"tasks", "shells", *STAND_INS},
    "shells": {*STAND_INS},
    "harness": {"bench", "tests"},
    "bench": {"tests"},
}
"""For each top-level package, the top-level packages its modules must not import."""


def imported_packages(source: str, package: str) -> set[str]:
    """The top-level packages a module's source imports; relative imports are its own."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add(package if node.level else (node.module or "").split(".")[0])
    return found


def violations(modules: dict[str, str]) -> list[str]:
    """`path: imports package` for every import that points the wrong way."""
    wrong = []
    for path, source in sorted(modules.items()):
        package = path.split("/")[0]
        for imported in sorted(imported_packages(source, package) & FORBIDDEN.get(package, set())):
            wrong.append(f"{path}: imports {imported}")
    return wrong


def repository_modules() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for package in FORBIDDEN
        for path in (ROOT / package).rglob("*.py")
    }


def test_no_module_imports_against_the_layers():
    modules = repository_modules()
    assert {path.split("/")[0] for path in modules} == set(FORBIDDEN)
    assert violations(modules) == []


@pytest.mark.parametrize(
    ("path", "source", "wrong"),
    [
        ("editorbot/audio.py", "from flows.approval import decide", "flows"),
        ("editorbot/storage.py", "def f():\n    import prefect.settings\n", "prefect"),
        ("tasks/notify.py", "from bot import handlers", "bot"),
        ("flows/serve.py", "import shells.cli", "shells"),
        ("bot/handlers.py", "from tasks.notify import notify", "tasks"),
        ("bench/served.py", "from tests.conftest import DATA", "tests"),
        ("shells/cli.py", "from harness.stack import EDITORBOT", "harness"),
    ],
)
def test_an_import_against_the_layers_is_found(path, source, wrong):
    assert violations({path: source}) == [f"{path}: imports {wrong}"]


def test_imports_down_the_layers_and_relative_imports_pass():
    allowed = {
        "bot/app.py": "from flows.runs import user_tag\nfrom editorbot import telegram_api",
        "shells/cli.py": "from bot.app import run_bot\nfrom flows import serve",
        "editorbot/llm/gemini.py": "from .base import LLMEngine\nfrom google import genai",
    }
    assert violations(allowed) == []
