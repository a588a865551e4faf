"""The `editorbot` command: a thin shell that wires commands to flows; errors become sentences."""

import argparse
import contextlib
import hashlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from uuid import UUID

import httpx

from editorbot.dialects import AUTO, profile_names
from editorbot.errors import BadSource, EditorBotError
from editorbot.settings import get_settings
from editorbot.templates import template_names
from shells.models import add_models_commands

PREFECT_CLIENT_SETTINGS = {
    # On SQLite (the VM's default) a burst's concurrent writes meet "database is locked",
    # which Prefect's server answers with 503, "try again". Prefect's 5 tries (2+4+8+16+32 s
    # apart) ran out once in a burst of 20 notes and failed a note. Our server tries such a
    # write again itself for ~4.5 s before it answers 503 (shells/prefect_server.py).
    "PREFECT_CLIENT_MAX_RETRIES": "7",
    # Our server keeps Prefect's CSRF protection off (its default), yet each new client asked
    # it for a token before its first write and was told so: 435 extra requests in a burst.
    "PREFECT_CLIENT_CSRF_SUPPORT_ENABLED": "false",
}
"""How every command's Prefect client talks to the server, unless the environment says."""

EXIT_PUBLISHED, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_REJECTED, EXIT_EXPIRED = 0, 1, 2, 3, 4


def _say(*lines: str) -> None:
    print(*lines, sep="\n", file=sys.stderr, flush=True)


def configure_environment(
    data_dir: str | None, verbose: bool = False, uses_prefect: bool = True
) -> None:
    """Point storage and the embedded Prefect at the data dir; must run before Prefect loads.

    Only a command that `uses_prefect` creates anything on disk (the Prefect home).
    """
    if data_dir or "EDITORBOT_STORAGE" not in os.environ:
        os.environ["EDITORBOT_STORAGE"] = f"file://{Path(data_dir or 'data').resolve()}"
    if data_dir or "EDITORBOT_BOT_PERSISTENCE" not in os.environ:
        # Beside the artifacts, hidden from the storage's keys like the Prefect home.
        persistence = Path(data_dir or "data").resolve() / ".bot" / "persistence.pickle"
        os.environ["EDITORBOT_BOT_PERSISTENCE"] = str(persistence)
    get_settings()  # a bad EDITORBOT_* value stops the command here, before anything is created
    if "PREFECT_API_URL" not in os.environ:
        # No server configured: an embedded one keeps its database beside the artifacts.
        os.environ.setdefault("PREFECT_HOME", str(Path(data_dir or "data").resolve() / ".prefect"))
        if uses_prefect:
            # Prefect creates its home, but not the directories above it.
            Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Prefect's client has telemetry of its own, which only this turns off; without it a
    # terminal's first command in a data dir printed Prefect's usage-data notice.
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # The embedded server's default 20 s start-up budget is too tight on a busy 2-core machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    for name, value in PREFECT_CLIENT_SETTINGS.items():
        os.environ.setdefault(name, value)
    # A served deployment looks for new runs every 2 s, not 10: a note starts within seconds.
    os.environ.setdefault("PREFECT_RUNNER_POLL_FREQUENCY", "2")
    if not verbose:
        # Run logs still reach the Prefect API; the terminal shows our own progress lines.
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")


def _language(value: str) -> str:
    from editorbot.whisper import LANGUAGE_CODES

    if value != "auto" and value not in LANGUAGE_CODES:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a Whisper language code (e.g. es, en, auto)"
        )
    return value


def _run_id(value: str) -> str:
    try:
        return str(UUID(value))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a run id; `editorbot runs` lists them in full"
        ) from None


def _at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type for a count of slots or threads: a whole number, `minimum` or more."""

    def count(value: str) -> int:
        if not value.strip().isdigit() or int(value) < minimum:
            raise argparse.ArgumentTypeError(
                f"{value!r} is not a whole number of {minimum} or more"
            )
        return int(value)

    return count


def _no_such_run(run_id: str) -> EditorBotError:
    return EditorBotError(f"There is no run {run_id} here; `editorbot runs` lists the recent ones.")


class _TypedLines:
    """Lines typed on standard input, read from its descriptor as they arrive.

    Not through sys.stdin: select() cannot see lines its buffer already holds, and a read
    blocked there would hold the command after its run has ended.
    """

    def __init__(self) -> None:
        self._pending, self._closed = b"", False

    def next(self, timeout_s: float) -> str | None:
        """The next line, or None if none is complete within `timeout_s`; EOFError at the end."""
        if b"\n" not in self._pending and not self._closed:
            ready, _, _ = select.select([sys.stdin.fileno()], [], [], timeout_s)
            if ready:
                data = os.read(sys.stdin.fileno(), 4096)
                self._pending += data
                self._closed = not data
        if b"\n" in self._pending or (self._closed and self._pending):
            line, _, self._pending = self._pending.partition(b"\n")
            return line.decode(errors="replace").strip()
        if self._closed:
            raise EOFError
        return None

    def drop_typed(self) -> list[str]:
        """Discard the whole lines typed so far, unread; returns them."""
        while not self._closed and select.select([sys.stdin.fileno()], [], [], 0)[0]:
            data = os.read(sys.stdin.fileno(), 4096)
            self._pending += data
            self._closed = not data
        *lines, self._pending = self._pending.split(b"\n")
        return [text for line in lines if (text := line.decode(errors="replace").strip())]


_typed = _TypedLines()


def _ask(run, draft: str | None, question: str) -> str | None:
    """Read a line, or None once the run no longer waits on draft `draft` (a digest; another
    approver decided, or the wait ran out): the caller then follows the run."""
    _say(question)
    while True:
        try:
            line = _typed.next(timeout_s=0.5)
        except EOFError:
            raise EditorBotError(
                f"No answer on standard input; decide later with `editorbot approve {run.id}`, "
                "or pass --approve or --reject."
            ) from None
        if line is not None:
            return line
        if run.waiting_draft() != draft:
            return None


def _gate_answer(args, run, draft: str | None) -> tuple[str, str] | None:
    if args.approve:
        return "approve", ""
    if args.reject:
        return "reject", "rejected from the command line"
    # A person types after reading: a line typed before this draft was shown (a second line
    # of notes, say) must not approve it. Piped answers are scripted; they stand.
    if sys.stdin.isatty() and (early := _typed.drop_typed()):
        said = "; ".join(f"«{line}»" for line in early)
        _say(f"Typed before this draft was shown, so not taken as an answer: {said}")
    while True:
        answer = _ask(run, draft, "Approve, revise or reject? [a/r/x]")
        if answer is None:
            return None
        decision = {"a": "approve", "r": "revise", "x": "reject"}.get(answer[:1].lower())
        if decision == "revise":
            question = "What should change? One line; edits written `old -> new` are applied."
            notes = _ask(run, draft, question)
            return None if notes is None else (decision, notes)
        if decision:
            return decision, ""
        _say("Answer a to approve, r to revise or x to reject.")


def cmd_process(args) -> int:
    source = Path(args.file)
    if not source.is_file():
        raise BadSource(f"There is no file at {args.file}; check the path and try again.")
    from editorbot.run_key import make_run_key
    from editorbot.schemas import RunOptions
    from editorbot.video.ffmpeg import check_ffmpeg
    from flows.local_run import LocalRun

    check_ffmpeg()  # before the note is processed: its videos need ffmpeg with libass
    run_key = make_run_key("cli", hashlib.sha256(source.read_bytes()).hexdigest()[:12])
    options = RunOptions(
        language=args.language,
        dialect=args.dialect,
        template=args.template,
        formats=args.formats,
    )
    run = LocalRun(str(source.resolve()), run_key, options)
    return _follow(run, run_key, args)


def _follow(run, run_key: str, args) -> int:
    """Show a run's progress, answer its gate, and turn its end into an exit code."""
    from editorbot.drafts import read_draft
    from editorbot.storage import ARTIFACT_PREFIXES, configured_storage, draft_key
    from flows.approval import (
        DraftReplaced,
        NotWaiting,
        expired,
        waiting_draft,
        waiting_revision,
    )

    storage = configured_storage()
    _say(f"Run {run.id} · {run_key}")
    gate_closed_elsewhere = False
    while True:
        state = run.watch(lambda step, status: _say(f"  {step.rsplit('-', 1)[0]:<16} {status}"))
        # The gate also closes when its wait runs out: that is not another approver.
        if gate_closed_elsewhere and not expired(state):
            _say("Another approver decided; following the run.")
        if not state.is_paused():
            break
        waiting = waiting_draft(state)
        draft = read_draft(storage, run_key)
        print(draft.markdown, file=sys.stderr if args.json else sys.stdout, flush=True)
        _say(f"Draft {draft.digest}")
        revision = waiting_revision(state)
        if revision is not None:
            # Rendered beside the gate: the draft is shown without waiting for it.
            preview = draft_key(run_key, f"preview-{revision}.mp4")
            coming = "" if storage.exists(preview) else " (being rendered)"
            _say(f"Preview of this draft: {storage.location(preview)}{coming}")
        answer = _gate_answer(args, run, waiting)
        gate_closed_elsewhere = answer is None
        if answer is not None:
            try:
                # The decision names the draft printed above: it decides that one or none.
                run.decide(*answer, draft=draft.digest)
            except DraftReplaced:
                _say("The draft changed while it was shown; here is the new one.")
            except NotWaiting:  # another approver was quicker: theirs is the decision
                gate_closed_elsewhere = True
    final = run.result()
    if expired(final):
        _say(f"Expired: nobody decided on run {run.id} in time; nothing was published.")
        return EXIT_EXPIRED
    if final.is_failed() or final.is_crashed():
        try:
            final.result(raise_on_failure=True)  # re-raises the task's error
        except EditorBotError:
            raise  # the user's to fix: main() prints its sentence
        except Exception:
            if args.verbose:
                raise
            _say(f"editorbot: run {run.id} failed: {final.message} (--verbose shows the details)")
            return EXIT_FAILED
    keys = [k for prefix in ARTIFACT_PREFIXES for k in storage.list(prefix + run_key)]
    if args.json:
        outcome = {
            "run_id": str(run.id),
            "run_key": run_key,
            "state": final.name,
            "artifacts": keys,
        }
        print(json.dumps(outcome))
    else:
        message = final.message or ""
        # The flow's messages mostly name their state already ("Rejected: not today").
        _say(message if message.startswith(final.name) else f"{final.name}: {message}")
        if final.name == "Published":
            _say(*(f"  {storage.location(k)}" for k in keys if k.startswith("scripts/")))
        _say(
            *(
                f"  {storage.location(k)}"
                for k in keys
                if k.startswith("video/") and k.endswith((".mp4", ".otio"))
            )
        )
    return {"Published": EXIT_PUBLISHED, "Rejected": EXIT_REJECTED}.get(final.name, EXIT_FAILED)


def cmd_replay(args) -> int:
    from prefect.exceptions import ObjectNotFound

    from flows.local_run import LocalRun
    from flows.replay import failed_runs, schedule_replay

    if args.failed:
        targets = [run.id for run in failed_runs(_duration(args.since))]
        if not targets:
            _say(f"No failed or crashed runs in the last {args.since}.")
    elif args.run_id:
        targets = [args.run_id]
    else:
        raise EditorBotError("Name a run to replay, or pass --failed.")
    codes = []
    for run_id in targets:
        try:
            run = schedule_replay(run_id)
        except ObjectNotFound:
            raise _no_such_run(run_id) from None
        run_key = run.parameters.get("run_key", "-")
        if run.deployment_id:
            _say(f"Run {run.id} · {run_key}: queued again for its deployment's runner.")
            continue
        codes.append(_follow(LocalRun.again(run), run_key, args))
    return max(codes, default=0)


def _duration(text: str):
    from datetime import timedelta

    units = {"m": "minutes", "h": "hours", "d": "days"}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise EditorBotError(f"{text!r} is not a duration like 30m, 24h or 7d.")
    return timedelta(**{units[text[-1]]: int(text[:-1])})


def _needs_a_server(command: str) -> None:
    if "PREFECT_API_URL" not in os.environ:
        raise EditorBotError(
            f"editorbot {command} needs a Prefect server: start one (editorbot-prefect-server, "
            "or the compose stack) and set PREFECT_API_URL, e.g. http://127.0.0.1:4200/api."
        )


def cmd_serve(args) -> int:
    if args.run_in == "threads" and not args.transcribers and not _transcribing_elsewhere():
        raise EditorBotError(
            "--run-in threads needs notes transcribed by a worker (--transcribers 1 or more, "
            "or EDITORBOT_TRANSCRIPTION=worker): each run's thread would load a model into serve."
        )
    _needs_a_server("serve")
    from editorbot.video.ffmpeg import check_ffmpeg
    from flows.serve import serve_voice_to_script

    check_ffmpeg()  # a runner that cannot render would fail every approved note's videos
    if args.transcribers:
        # The flow-run processes this runner starts hand their notes to the worker below.
        os.environ["EDITORBOT_TRANSCRIPTION"] = "worker"
    with contextlib.ExitStack() as workers:
        for _ in range(args.transcribers):
            workers.enter_context(_transcriber_child())
        serve_voice_to_script(
            args.transcription_slots, args.run_slots, args.resume_slots, run_in=args.run_in
        )
    return 0


def _transcribing_elsewhere() -> bool:
    """Whether runs hand their notes to transcription workers started elsewhere."""
    return get_settings().transcription == "worker"


@contextlib.contextmanager
def _transcriber_child(restart_after_s: float = 2) -> Iterator[None]:
    """`editorbot transcriber` beside the runner, started again whenever it exits.

    A child process, not a thread: the model's memory and a crash in it stay out of the
    runner, and a worker that died mid-note is replaced while the flow resends the note.
    """
    stopping = threading.Event()
    current: list[subprocess.Popen] = []

    def keep_running() -> None:
        while not stopping.is_set():
            current[:] = [subprocess.Popen([sys.executable, "-m", "shells.cli", "transcriber"])]
            code = current[0].wait()
            if not stopping.is_set():
                _say(f"editorbot: the transcriber exited ({code}); starting it again")
                stopping.wait(restart_after_s)

    keeper = threading.Thread(target=keep_running, name="transcriber", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stopping.set()
        for child in current:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
                try:
                    child.wait(30)
                except subprocess.TimeoutExpired:
                    child.kill()
        keeper.join(35)


def cmd_transcriber(args) -> int:
    _needs_a_server("transcriber")
    from editorbot.logs import install_handler, secret_values
    from flows.transcriber import serve_transcriber

    settings = get_settings()
    # A service: its own INFO lines (the model loaded, once) are shown, secrets redacted.
    install_handler(settings.log_format, secret_values(settings))
    serve_transcriber(args.status_port)
    return 0


def cmd_runs(args) -> int:
    from flows.runs import PRODUCT_TAG, run_key_of, runs_tagged

    runs = runs_tagged(PRODUCT_TAG, limit=args.limit)
    if not runs:
        _say("No runs yet. Start one with `editorbot process NOTE.ogg`.")
    now = datetime.now(UTC)
    for run in runs:
        run_key = run_key_of(run) or "-"
        age = now - (run.expected_start_time or run.created or now)
        print(f"{run.id}  {(run.state_name or '-'):<10} {run_key:<32} {_age(age.total_seconds())}")
    return 0


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit} ago"
    return f"{int(seconds)}s ago"


def cmd_decide(args) -> int:
    from prefect.exceptions import ObjectNotFound

    from flows.approval import decide

    try:
        draft = decide(args.run_id, args.command, args.notes, draft=args.draft)
    except ObjectNotFound:
        raise _no_such_run(args.run_id) from None
    _say(f"Sent {args.command} to run {args.run_id} (draft {draft or 'without a digest'}).")
    return 0


def cmd_bot(args) -> int:
    import logging

    from bot.app import run_bot
    from editorbot.logs import install_handler
    from editorbot.redaction import secret_values

    settings = get_settings()
    if settings.bot_runs == "local":
        from editorbot.video.ffmpeg import check_ffmpeg

        check_ffmpeg()  # this process runs the flows, and so renders the videos
    # A service: its own INFO lines are shown (Prefect's set-up mutes the console otherwise),
    # as JSON or text per settings, with secrets redacted either way.
    install_handler(settings.log_format, secret_values(settings))
    logging.getLogger("telegram").setLevel(logging.INFO)  # start/stop lines; URLs only at DEBUG
    run_bot(settings)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="editorbot", description="Turn a spoken idea into an approved short-video script."
    )
    parser.add_argument(
        "--data-dir", help="where artifacts and the local Prefect database live (default ./data)"
    )
    parser.add_argument("--verbose", action="store_true", help="show Prefect's own logs too")
    commands = parser.add_subparsers(dest="command", required=True)
    # How a command that follows a run answers its gate and reports its end.
    gate_options = argparse.ArgumentParser(add_help=False)
    gate = gate_options.add_mutually_exclusive_group()
    gate.add_argument("--approve", action="store_true", help="approve the draft without asking")
    gate.add_argument("--reject", action="store_true", help="reject the draft without asking")
    gate_options.add_argument(
        "--json", action="store_true", help="print one JSON object with the outcome"
    )

    process = commands.add_parser(
        "process",
        parents=[gate_options],
        help="turn one voice note into a script, asking for approval",
    )
    process.add_argument("file", help="the note: OGG/Opus as Telegram sends it, WAV, MP3, M4A…")
    process.add_argument(
        "--language",
        type=_language,
        default="es",
        help="spoken language code, or auto (default es)",
    )
    process.add_argument(
        "--dialect",
        choices=[*profile_names(), AUTO],
        default="neutral",
        help="the speaker's regional Spanish (default neutral)",
    )
    process.add_argument(
        "--template",
        choices=template_names(),
        default="opinion",
        help="the script family (default opinion)",
    )
    process.add_argument(
        "--formats",
        default="",
        help="videos besides 9:16 and 16:9, made after approval: 1:1, 4:5 or both "
        "(e.g. --formats 1:1,4:5)",
    )
    process.set_defaults(handler=cmd_process)

    runs = commands.add_parser("runs", help="list recent runs and their states")
    runs.add_argument("--limit", type=int, default=20)
    runs.set_defaults(handler=cmd_runs)

    replay = commands.add_parser(
        "replay",
        parents=[gate_options],
        help="run failed or crashed runs again; finished steps are not redone",
    )
    replay.add_argument("run_id", nargs="?", type=_run_id, help="the run to replay")
    replay.add_argument("--failed", action="store_true", help="replay every failed or crashed run")
    replay.add_argument("--since", default="24h", help="with --failed: how far back (30m, 24h, 7d)")
    replay.set_defaults(handler=cmd_replay)

    serve = commands.add_parser(
        "serve", help="run the voice-to-script deployment's flow runs (needs PREFECT_API_URL)"
    )
    serve.add_argument(
        "--transcription-slots",
        type=_at_least(1),
        default=1,
        help="transcriptions allowed at once across every runner (default 1)",
    )
    serve.add_argument(
        "--run-slots",
        type=_at_least(1),
        help="flow runs this runner executes at once; the rest wait for another runner or a "
        "free slot (default: no limit; with --run-in threads, 4)",
    )
    serve.add_argument(
        "--resume-slots",
        type=_at_least(0),
        default=16,
        help="runs resumed by a decision executed at once in this process, beside the run "
        "slots, so approvals never wait behind new notes or each other's videos (default 16; "
        "0: the runner takes them)",
    )
    serve.add_argument(
        "--transcribers",
        type=int,
        default=1,
        choices=range(0, 9),
        metavar="N",
        help="transcription workers to run beside the runner, each keeping one model loaded "
        "(default 1; 0: none here, the flow-run processes load the model themselves unless "
        "EDITORBOT_TRANSCRIPTION=worker points them at workers elsewhere)",
    )
    serve.add_argument(
        "--run-in",
        choices=("processes", "threads"),
        default="processes",
        help="where new notes run: a process each, started by Prefect's runner (default), or "
        "threads of this process, --run-slots of them (default 4); threads need a "
        "transcription worker and give up killing a cancelled run and isolating runs",
    )
    # They refuse the embedded server (_needs_a_server): none is started for them.
    serve.set_defaults(handler=cmd_serve, embedded_server=False)

    transcriber = commands.add_parser(
        "transcriber",
        help="keep the Whisper model loaded and transcribe the notes served runs hand over "
        "(needs PREFECT_API_URL)",
    )
    transcriber.add_argument(
        "--status-port",
        type=int,
        help="serve the worker's status page on 127.0.0.1:PORT/status (a health check)",
    )
    transcriber.set_defaults(handler=cmd_transcriber, embedded_server=False)

    for decision, help_text in (
        ("approve", "publish the draft of a run waiting for approval"),
        ("revise", "ask a waiting run for a new draft, with notes"),
        ("reject", "end a waiting run without publishing"),
    ):
        command = commands.add_parser(decision, help=help_text)
        command.add_argument(
            "run_id", type=_run_id, help="the run's id, as `editorbot runs` shows it"
        )
        command.add_argument("--notes", default="", help="what to change, or why")
        command.add_argument(
            "--draft",
            metavar="DIGEST",
            help="only if the run still waits on this draft (the digest `editorbot process` "
            "and the Prefect UI show); without it, the draft waiting now",
        )
        command.set_defaults(handler=cmd_decide)
    # Model files only: running them leaves the working directory as it was.
    add_models_commands(commands).set_defaults(uses_prefect=False)

    bot = commands.add_parser("bot", help="run the Telegram bot until interrupted")
    bot.set_defaults(handler=cmd_bot)
    return parser


def _prefect_api_url() -> str:
    """The server this command talks to, as Prefect resolves it (environment or profile)."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or ""


def _unreachable(error: httpx.TransportError) -> str:
    """What to say when the Prefect server does not answer: where we looked, and what to check."""
    address = urlsplit(_prefect_api_url()).netloc.rpartition("@")[2]  # never a password
    return (
        f"cannot reach the Prefect server at {address or 'its address'} ({error}). Is it "
        "running? On a laptop: `docker compose ps`; from here to the VM: the SSM tunnel "
        "(docs/runbook.md)."
    )


def _refused_by_prefect(error: httpx.HTTPStatusError) -> str | None:
    """What to say when the Prefect server answered with an error that retrying did not
    mend; None if the answer came from somewhere else."""
    api = _prefect_api_url()
    if not api or not str(error.request.url).startswith(api.rstrip("/")):
        return None
    status = error.response.status_code
    if status in (401, 403):
        return (
            f"the Prefect server refused our PREFECT_API_AUTH_STRING ({status}): it must be "
            "the server's PREFECT_SERVER_API_AUTH_STRING (on the VM both come from SSM, "
            "docs/runbook.md section 3; on a laptop from .env)."
        )
    return (
        f"the Prefect server answered {status} {error.response.reason_phrase} to "
        f"{error.request.method} {error.request.url.path}, even after retrying; its log says "
        "why (`docker compose logs prefect-server`). Try again once it answers."
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from editorbot.logs import configure_logging

    try:
        configure_environment(args.data_dir, args.verbose, getattr(args, "uses_prefect", True))
        configure_logging()  # after the line above: it reads the settings
        if getattr(args, "uses_prefect", True) and os.environ.get("PREFECT_API_URL"):
            # A client of a Prefect server (the runner, the bot, these commands) refuses to
            # run without the server's auth string rather than talk to an open API.
            from editorbot.api_auth import require_auth_string

            variable = "PREFECT_API_AUTH_STRING"
            require_auth_string(os.environ.get(variable), variable)
        if getattr(args, "uses_prefect", True):
            from prefect.settings import PREFECT_API_URL

            if PREFECT_API_URL.value() is None and getattr(args, "embedded_server", True):
                from shells.embedded_server import start_embedded_server

                # Before Prefect starts it from some thread, and so that it dies with us.
                start_embedded_server()
            from flows.run_locks import crash_runs_without_process

            # A run whose `editorbot process` was killed is Running for ever otherwise.
            for run_id in crash_runs_without_process():
                _say(f"Run {run_id} lost its process; it is Crashed: `editorbot replay {run_id}`.")
        return args.handler(args)
    except EditorBotError as error:
        _say(f"editorbot: {error}")
        return EXIT_BAD_INPUT
    except httpx.TransportError as error:
        # The server is down, restarting, or at another address: a sentence, not a traceback.
        _say(f"editorbot: {_unreachable(error)}")
        return EXIT_FAILED
    except httpx.HTTPStatusError as error:
        refused = _refused_by_prefect(error)
        if refused is None:
            raise  # not our Prefect server's answer: a defect, with its traceback
        _say(f"editorbot: {refused}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        _say("Interrupted; `editorbot replay RUN_ID` takes the run up again where it stopped.")
        return 130


if __name__ == "__main__":
    sys.exit(main())
