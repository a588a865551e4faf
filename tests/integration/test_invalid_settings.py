"""A bad `EDITORBOT_*` value stops every shell with one sentence naming it, never a traceback."""

import os
import subprocess

import pytest

from harness.stack import EDITORBOT, SCRIPTS, child_env

BAD = {
    "EDITORBOT_WHISPER_BEAM_SIZE": ("abc", "input should be a valid integer"),
    "EDITORBOT_TEXT_ENGINE": ("gpt", "input should be 'auto', 'offline', 'gemini' or 'openai'"),
    "EDITORBOT_ALLOWED_USERS": ("1,alice", "it takes Telegram user ids (numbers)"),
    "EDITORBOT_STORAGE": ("s3://bucket/folder", "S3 storage is a whole bucket"),
}
COMMANDS = {
    "process": ["process", "note.ogg", "--approve"],
    "runs": ["runs"],
    "bot": ["bot"],
    "serve": ["serve"],
    "models": ["models", "list"],
}


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
@pytest.mark.parametrize("name", BAD)
def test_the_command_names_the_setting_in_one_sentence_and_exits_2(tmp_path, name, command):
    value, why = BAD[name]
    # No --data-dir: it would stand in for EDITORBOT_STORAGE; ./data is the default.
    done = subprocess.run(
        [*EDITORBOT, *command],
        cwd=tmp_path,
        env=child_env(**{name: value}),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    (said,) = done.stderr.splitlines()  # one line, no traceback
    assert said.startswith(f"editorbot: {name}={value!r} is not a usable value: {why}"), said
    assert os.listdir(tmp_path) == [], "a refused command created nothing, not even ./data"


def test_the_container_entry_point_refuses_before_starting_its_command():
    done = subprocess.run(
        [str(SCRIPTS / "editorbot-entrypoint"), "editorbot", "runs"],
        env=child_env(EDITORBOT_LOG_FORMAT="text", EDITORBOT_WHISPER_ENGINE="whisper.cpp"),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 78, done.stdout + done.stderr  # EX_CONFIG, as for its other checks
    (line,) = done.stderr.splitlines()
    assert line.endswith(
        "ERROR editorbot.entrypoint EDITORBOT_WHISPER_ENGINE='whisper.cpp' is not a usable "
        "value: input should be 'faster-whisper' or 'openai-whisper'."
    ), line
