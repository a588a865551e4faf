"""The `editorbot` command as a person runs it: real processes, real embedded Prefect."""

import contextlib
import json
import os
import pty
import re
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL

from editorbot.schemas import Script
from harness.fake_secrets import PREFECT_AUTH_STRING
from harness.hostile_notes import HOSTILE_INPUTS, lures_in
from harness.stack import EDITORBOT, child_env
from tests.bad_inputs import BAD_INPUTS, MAX_AUDIO_SECONDS
from tests.conftest import DATA, SAMPLES
from tests.opened_files import files_opened_in
from tests.run_logs import assert_one_warning, run_logs

pytestmark = pytest.mark.slow
SPANISH = DATA / "es_rioplatense_synth.ogg"
# Long enough for a kill to land mid-transcription; English LibriVox.
LONG_NOTE = (str(DATA / "speech_60s.ogg"), "--language", "en", "--template", "opinion")


def editorbot(
    data_dir: Path, *args: str, stdin: str | None = None, timeout: float = 300, **settings: str
):
    """Run the command without this session's settings, plus `settings` (e.g. PREFECT_API_URL)."""
    return subprocess.run(
        [*EDITORBOT, "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=child_env(**settings),
        timeout=timeout,
    )


def waiting_process(data_dir: Path, stdout, stderr, *options: str, **settings: str):
    """`editorbot process` on the Spanish note, its standard input open and silent as in a
    terminal nobody types in (communicate() would close it)."""
    command = ["process", str(SPANISH), "--template", "provocation", *options]
    return subprocess.Popen(
        [*EDITORBOT, "--data-dir", str(data_dir), *command],
        stdin=subprocess.PIPE,
        stdout=stdout,
        stderr=stderr,
        text=True,
        env=child_env(**settings),
    )


def _published(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "scripts").rglob("*.json")) if (data_dir / "scripts").exists() else []


def test_process_approve_json_publishes(tmp_path):
    result = editorbot(
        tmp_path,
        "process",
        str(SAMPLES / "nota_venezolana.ogg"),
        "--dialect",
        "venezuelan",
        "--template",
        "story",
        "--approve",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["state"] == "Published"
    assert f"scripts/{outcome['run_key']}.json" in outcome["artifacts"]
    # The note, its WAV, .srt and .vtt, the draft (.json, .md, preview), the script (.json,
    # .md); 9:16 and 16:9 each with .ass, .srt and the plan; the timeline.
    assert len(outcome["artifacts"]) == 18
    assert f"video/long/{outcome['run_key']}/16x9.mp4" in outcome["artifacts"]
    script = Script.model_validate_json(_published(tmp_path)[0].read_text())
    assert script.template_id == "story" and script.dialect == "venezuelan"
    assert "transcribe" in result.stderr and "Traceback" not in result.stderr


def test_process_reject_exits_3_and_publishes_nothing(tmp_path):
    result = editorbot(tmp_path, "process", str(SPANISH), "--template", "provocation", "--reject")
    assert result.returncode == 3, result.stderr
    assert _published(tmp_path) == []
    # The run's message already names its state: said once, not "Rejected: Rejected: …".
    assert "\nRejected: rejected from the command line\n" in result.stderr, result.stderr


def test_serve_refuses_slot_counts_that_would_run_nothing(tmp_path):
    # A negative count left threads mode claiming nothing, for ever, without a word.
    for option, value in (("--run-slots", "0"), ("--run-slots", "-1"), ("--resume-slots", "x")):
        refused = editorbot(tmp_path, "serve", option, value)
        assert refused.returncode == 2, refused.stderr
        assert f"{value!r} is not a whole number of" in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr


def test_a_server_that_does_not_answer_gets_one_sentence(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for command in (["approve", "0b1e7c9c-0000-0000-0000-000000000000"], ["runs"]):
        done = editorbot(
            tmp_path,
            *command,
            PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
            PREFECT_API_AUTH_STRING=PREFECT_AUTH_STRING,
        )
        assert done.returncode == 1, done.stderr
        assert done.stderr.splitlines()[-1].startswith(
            f"editorbot: cannot reach the Prefect server at 127.0.0.1:{port} ("
        ), done.stderr
        assert "Traceback" not in done.stderr
        assert PREFECT_AUTH_STRING.split(":")[1] not in done.stderr


def test_a_run_id_that_is_malformed_or_unknown_gets_one_sentence(tmp_path):
    short = editorbot(tmp_path, "approve", "b63d08ea")
    assert short.returncode == 2 and "'b63d08ea' is not a run id" in short.stderr, short.stderr
    unknown = "0b1e7c9c-0000-0000-0000-000000000000"
    for command in (
        ["approve", unknown],
        ["revise", unknown, "--notes", "a -> b"],
        ["replay", unknown],
    ):
        done = editorbot(tmp_path, *command)
        assert done.returncode == 2, done.stderr
        assert done.stderr.splitlines()[-1] == (
            f"editorbot: There is no run {unknown} here; `editorbot runs` lists the recent ones."
        )
        assert "Traceback" not in done.stderr


def test_interactive_revise_then_approve(tmp_path):
    result = editorbot(
        tmp_path,
        "process",
        str(SPANISH),
        "--dialect",
        "rioplatense",
        "--template",
        "provocation",
        stdin="r\ninflación -> subida de precios\na\n",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("# Provocation script") == 2  # the draft, then the revision
    script = Script.model_validate_json(_published(tmp_path)[0].read_text())
    assert script.metadata.revision == 1
    assert "subida de precios" in " ".join(b.text for b in script.beats)


def test_in_a_terminal_a_line_typed_before_the_draft_is_not_its_answer(tmp_path):
    # A terminal of its own: a second line of notes, typed at once, used to approve the new
    # draft before anyone had read it.
    controller, terminal = pty.openpty()
    err = tmp_path / "stderr.txt"
    with err.open("w") as stderr_sink:
        command = ["process", str(SPANISH), "--template", "provocation", "--dialect", "rioplatense"]
        waiting = subprocess.Popen(
            [*EDITORBOT, "--data-dir", str(tmp_path), *command],
            stdin=terminal,
            stdout=subprocess.DEVNULL,
            stderr=stderr_sink,
            env=child_env(),
        )
        try:
            _when_written(err, "Approve, revise or reject?")
            os.write(controller, "r\ninflación -> subida de precios\nahora -> ya\n".encode())
            _when_written(err, "Approve, revise or reject?", count=2)
            os.write(controller, b"x\n")
            code = waiting.wait(timeout=120)
        finally:
            waiting.kill()
            os.close(controller)
            os.close(terminal)
    stderr = err.read_text()
    assert code == 3, stderr
    assert "so not taken as an answer: «ahora -> ya»" in stderr
    assert _published(tmp_path) == []


def test_a_terminal_sees_our_output_only_not_prefects_telemetry_notice(tmp_path):
    # The notice shows only in a terminal, once per Prefect home: a fresh data dir.
    controller, terminal = pty.openpty()
    env = child_env()
    env.pop("DO_NOT_TRACK", None)  # the command sets it, not whoever runs it
    done = subprocess.run(
        [*EDITORBOT, "--data-dir", str(tmp_path), "runs"],
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=terminal,
        env=env,
        timeout=120,
    )
    os.close(terminal)
    said = b""
    with contextlib.suppress(OSError):  # EIO once everything written was read
        while chunk := os.read(controller, 4096):
            said += chunk
    os.close(controller)
    assert done.returncode == 0, said
    assert said.decode().strip() == "No runs yet. Start one with `editorbot process NOTE.ogg`."


def _refused_by_cli(data_dir: Path, note: Path, reason: str, tmp_path: Path) -> str:
    """Run `process` on a note that must be refused; check what the person sees; the run id."""
    # The session's Prefect server instead of an embedded one per run: ~10 s less per input.
    result = editorbot(
        data_dir,
        "process",
        str(note),
        "--approve",
        PREFECT_API_URL=PREFECT_API_URL.value(),
        PREFECT_API_AUTH_STRING=PREFECT_AUTH_STRING,  # a client sends one; the harness takes any
        PREFECT_HOME=str(tmp_path / ".prefect"),
        EDITORBOT_MAX_AUDIO_SECONDS=str(MAX_AUDIO_SECONDS),
    )
    assert result.returncode == 2, result.stderr
    said = [line for line in result.stderr.splitlines() if line.startswith("editorbot:")]
    assert len(said) == 1 and reason in said[0], result.stderr
    assert "Traceback" not in result.stderr
    (raw,) = [path for path in (data_dir / "audio" / "raw").rglob("*") if path.is_file()]
    assert raw.read_bytes() == note.read_bytes()
    assert not (data_dir / "scripts").exists() and not (data_dir / "drafts").exists()
    # The operator's side: the run's log holds the sentence once, as a warning.
    run_id = re.search(r"Run ([0-9a-f-]{36})", result.stderr).group(1)
    assert_one_warning(run_logs(run_id), said[0].removeprefix("editorbot: "))
    return run_id


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=str)
def test_bad_input_gets_one_sentence_exit_2_and_the_raw_file_is_kept(
    tmp_path, bad_inputs, prefect_api, bad
):
    _refused_by_cli(tmp_path / "data", bad_inputs[bad.name], bad.reason, tmp_path)


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS, ids=str)
def test_hostile_input_is_refused_and_nothing_it_names_is_opened(
    tmp_path, hostile_inputs, prefect_api, hostile
):
    note = hostile_inputs[hostile.name]
    with files_opened_in(lures_in(hostile_inputs)) as opened:
        _refused_by_cli(tmp_path / "data", note, hostile.reason, tmp_path)
        # The command reads the note itself (the image sequence's sits among the lures).
        assert opened() - {note.name} == set()


def test_missing_file_and_unknown_template_are_explained(tmp_path):
    missing = editorbot(tmp_path, "process", str(tmp_path / "nope.ogg"))
    assert missing.returncode == 2 and "There is no file at" in missing.stderr
    unknown = editorbot(tmp_path, "process", str(SPANISH), "--template", "sonnet")
    assert unknown.returncode == 2 and "invalid choice: 'sonnet'" in unknown.stderr


def test_nobody_deciding_in_time_exits_4_and_publishes_nothing(tmp_path):
    # A terminal that never answers; the output goes to files so no pipe fills up.
    stderr_file = tmp_path / "stderr.txt"
    with stderr_file.open("w") as stderr_sink:
        waiting = waiting_process(
            tmp_path / "data", subprocess.DEVNULL, stderr_sink, EDITORBOT_APPROVAL_TIMEOUT_S="2"
        )
        try:
            code = waiting.wait(timeout=300)
        finally:
            waiting.kill()
            waiting.stdin.close()
    stderr = stderr_file.read_text()
    assert code == 4, stderr
    lines = stderr.strip().splitlines()
    assert lines[-1].startswith("Expired: nobody decided on run"), stderr
    assert "nothing was published" in lines[-1]
    assert "Another approver" not in stderr and "Traceback" not in stderr
    assert _published(tmp_path / "data") == []


def test_another_terminal_approves_a_waiting_run(tmp_path):
    waiting = waiting_process(tmp_path, subprocess.PIPE, subprocess.PIPE)
    try:
        run_id = re.search(r"Run ([0-9a-f-]{36})", waiting.stderr.readline()).group(1)
        deadline, said = time.monotonic() + 240, []
        while "Approve, revise or reject?" not in (said or [""])[-1]:
            assert time.monotonic() < deadline and waiting.poll() is None
            said.append(waiting.stderr.readline())
        (draft,) = [line.split()[1] for line in said if line.startswith("Draft ")]
        listing = editorbot(tmp_path, "runs")
        assert re.search(rf"{run_id}\s+Paused\s+\d{{4}}/\d\d/\d\d/cli-", listing.stdout), listing
        # An operator who read another draft decides nothing.
        other = editorbot(tmp_path, "approve", run_id, "--draft", "0" * len(draft))
        assert other.returncode == 2 and "waits on another draft" in other.stderr, other.stderr
        approve = editorbot(tmp_path, "approve", run_id, "--draft", draft)
        assert approve.returncode == 0, approve.stderr
        assert f"(draft {draft})" in approve.stderr
        assert waiting.wait(timeout=120) == 0
        assert "Another approver decided" in waiting.stderr.read()
    finally:
        waiting.kill()
    assert len(_published(tmp_path)) == 1
    again = editorbot(tmp_path, "approve", run_id)
    assert again.returncode == 2 and "not waiting for approval; it is Published" in again.stderr


def _when_written(path: Path, text: str, count: int = 1, timeout: float = 240) -> str:
    """The file's content once `text` occurs in it `count` times."""
    deadline = time.monotonic() + timeout
    while (content := path.read_text()).count(text) < count:
        assert time.monotonic() < deadline, content
        time.sleep(0.2)
    return content


def test_another_terminal_revises_then_rejects_and_the_waiting_command_follows(tmp_path):
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out.open("w") as stdout_sink, err.open("w") as stderr_sink:
        waiting = waiting_process(tmp_path, stdout_sink, stderr_sink, "--dialect", "rioplatense")
        try:
            asked = _when_written(err, "Approve, revise or reject?")
            run_id = re.search(r"Run ([0-9a-f-]{36})", asked).group(1)
            notes = "inflación -> subida de precios"
            revise = editorbot(tmp_path, "revise", run_id, "--notes", notes)
            assert revise.returncode == 0, revise.stderr
            _when_written(err, "Approve, revise or reject?", count=2)  # asked on the new draft
            assert out.read_text().count("# Provocation script") == 2
            assert "subida de precios" in out.read_text().split("# Provocation script")[2]
            reject = editorbot(tmp_path, "reject", run_id, "--notes", "not today")
            assert reject.returncode == 0, reject.stderr
            code = waiting.wait(timeout=120)  # the run ended: no need for stdin to close
        finally:
            waiting.kill()
            waiting.stdin.close()
    stderr = err.read_text()
    assert code == 3, stderr
    assert stderr.count("Another approver decided") == 2, stderr
    assert "Rejected: not today" in stderr and _published(tmp_path) == []


def test_replay_failed_since_takes_the_failed_runs_of_that_window_again(tmp_path):
    empty = tmp_path / "empty.ogg"
    empty.write_bytes(b"")
    failed = editorbot(tmp_path / "data", "process", str(empty), "--approve")
    assert failed.returncode == 2, failed.stderr
    run_id = re.search(r"Run ([0-9a-f-]{36})", failed.stderr).group(1)

    none = editorbot(tmp_path / "data", "replay", "--failed", "--since", "0m")
    assert none.returncode == 0 and "No failed or crashed runs in the last 0m." in none.stderr

    again = editorbot(tmp_path / "data", "replay", "--failed", "--since", "1h", "--approve")
    assert again.returncode == 2, again.stderr  # the same note, refused for the same reason
    assert f"Run {run_id}" in again.stderr
    reasons = [line for line in again.stderr.splitlines() if line.startswith("editorbot:")]
    assert reasons == [line for line in failed.stderr.splitlines() if line.startswith("editorbot:")]

    wrong = editorbot(tmp_path / "data", "replay", "--failed", "--since", "5x")
    assert wrong.returncode == 2 and "is not a duration like 30m, 24h or 7d" in wrong.stderr


@pytest.mark.parametrize(
    "args", [("--help",), ("models", "--help"), ("models", "path"), ("models", "list")]
)
def test_commands_without_prefect_leave_the_working_directory_alone(tmp_path, args):
    result = subprocess.run(
        [*EDITORBOT, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []  # no ./data, no ./data/.prefect


def _task_states(data_dir: Path, run_id: str, prefix: str) -> list[str]:
    """A run's task runs named `prefix…`, oldest first, from the embedded Prefect database."""
    with sqlite3.connect(data_dir / ".prefect" / "prefect.db") as db:
        rows = db.execute(
            "SELECT task_run.state_name FROM task_run WHERE flow_run_id = ? AND name LIKE ? "
            "ORDER BY expected_start_time",
            (run_id.replace("-", ""), f"{prefix}-%"),
        ).fetchall()
        if not rows:  # ids stored with their dashes
            rows = db.execute(
                "SELECT task_run.state_name FROM task_run WHERE flow_run_id = ? AND name LIKE ? "
                "ORDER BY expected_start_time",
                (run_id, f"{prefix}-%"),
            ).fetchall()
    return [state for (state,) in rows]


def _processes_with_prefect_home(home: Path) -> list[int]:
    """Pids of this user's processes whose environment points Prefect at `home`."""
    wanted = f"PREFECT_HOME={home}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):  # gone meanwhile, or another user's
                if wanted in (entry / "environ").read_bytes().split(b"\0"):
                    pids.append(int(entry.name))
    return pids


def _process_in_its_own_session(data_dir) -> subprocess.Popen:
    """`editorbot process` on the long note in its own session, as a terminal's foreground
    job; its stderr is read line by line."""
    return subprocess.Popen(
        [*EDITORBOT, "--data-dir", str(data_dir), "process", *LONG_NOTE],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
        start_new_session=True,
    )


def test_a_killed_process_does_not_leave_its_embedded_prefect_server_behind(tmp_path):
    data_dir = tmp_path / "data"
    home = data_dir / ".prefect"
    # Only the command is killed (kill -9 of its pid, not its group): its server is its child.
    killed = _process_in_its_own_session(data_dir)
    try:
        assert re.search(r"Run ([0-9a-f-]{36})", killed.stderr.readline())  # the server is up
        server = [pid for pid in _processes_with_prefect_home(home) if pid != killed.pid]
        assert server, "the embedded server was not found, so its absence would prove nothing"
        killed.kill()
        killed.wait(30)
        deadline = time.monotonic() + 60  # a bound on the search, not a speed asserted
        while (left := _processes_with_prefect_home(home)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert left == [], f"processes of {home} outlived the command: {left}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(killed.pid, signal.SIGKILL)
        for pid in _processes_with_prefect_home(home):  # what the assertion found, if it failed
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        killed.wait(30)


@pytest.mark.parametrize("moment", ["transcribe       Running", "Approve, revise or reject?"])
def test_a_killed_process_leaves_a_crashed_run_that_replay_finishes_from_the_cache(
    tmp_path, moment
):
    data_dir = tmp_path / "data"
    # Its own session, as a terminal's foreground job: Ctrl-\\ or a closed laptop takes the
    # whole group, the embedded Prefect server with it.
    killed = _process_in_its_own_session(data_dir)
    try:
        run_id = re.search(r"Run ([0-9a-f-]{36})", killed.stderr.readline()).group(1)
        deadline = time.monotonic() + 240
        while moment not in killed.stderr.readline():
            assert time.monotonic() < deadline and killed.poll() is None
    finally:
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait(30)

    listing = editorbot(tmp_path / "data", "runs")
    assert listing.returncode == 0, listing.stderr
    assert f"Run {run_id} lost its process; it is Crashed" in listing.stderr
    assert re.search(rf"{run_id}\s+Crashed\s", listing.stdout), listing.stdout

    replay = editorbot(data_dir, "replay", "--failed", "--since", "1h", "--approve", "--json")
    assert replay.returncode == 0, replay.stderr
    outcome = json.loads(replay.stdout)
    assert outcome["run_id"] == run_id and outcome["state"] == "Published"
    assert len(_published(data_dir)) == 1
    # What had finished before the kill came from the cache: the whole stage, at the gate.
    transcribed = _task_states(data_dir, run_id, "transcribe")
    if moment.startswith("Approve"):
        assert _task_states(data_dir, run_id, "hear") == ["Completed", "Cached"]
        for step in ("download", "normalize_audio", "transcribe"):
            assert _task_states(data_dir, run_id, step) == ["Completed"], step
    else:  # cut off mid-way: the stage again, its finished steps cached, transcribed in full
        for step in ("download", "normalize_audio"):
            assert _task_states(data_dir, run_id, step) == ["Completed", "Cached"], step
        assert transcribed[-1] == "Completed"
