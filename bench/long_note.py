"""A 10-minute note: note → draft against its bare transcription, and the progress in the chat.

    .venv/bin/python bench/long_note.py [--minutes 10] [--run-in threads] [--rounds 3]

The note is tests/data/speech_60s.ogg (59.6 s, English) played --minutes times in a row,
made with ffmpeg. Bare: the note cleaned as the flow cleans it, transcribed by this
process with the model loaded and warmed up. The real flow reports to a chat on a fake Bot
API: once in this process (LocalRun, as `editorbot process`; the model is warm here too),
then --rounds times through the service stack (a Prefect server, `editorbot serve` with its
transcription worker, the note submitted as the bot submits it), with a bare run before the
first and after each: the median served run is held to the median bare run (on this shared
machine the same bare run varied by a third within one bench). Each run waits for its
preview before the next starts. Note → draft comes from the server's state timestamps.
Prints the figures with the target beside them and every status line the chat was shown
while the note was transcribed; JSON in bench/results/long_note.json.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import prepare  # noqa: E402

HOME, PORT = prepare()  # before Prefect is imported

from bench import served  # noqa: E402
from bench.memory import PeakMemory  # noqa: E402
from harness.fake_secrets import TELEGRAM_TOKEN  # noqa: E402
from harness.fakes.telegram import FakeTelegram  # noqa: E402

TARGET = 1.2
"""note → draft over bare transcription, at most."""


def long_note(minutes: int) -> Path:
    note = HOME / f"note-{minutes}min.ogg"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", str(minutes - 1),
         "-i", str(ROOT / "tests" / "data" / "speech_60s.ogg"), "-c:a", "libopus", str(note)],
        check=True,
    )  # fmt: skip
    return note


def bare(note: Path) -> float:
    """Seconds to transcribe the cleaned note once with the model loaded and warmed up."""
    from editorbot.audio import clean_audio
    from editorbot.settings import get_settings
    from editorbot.whisper import get_engine

    settings = get_settings()
    wav = HOME / "bare.wav"
    if not wav.exists():
        clean = clean_audio(note.read_bytes(), settings.max_audio_seconds, settings.silence_dbfs)
        wav.write_bytes(clean.wav)
    engine = get_engine(settings)
    if not engine.transcriptions:
        engine.warm_up()  # as the transcription worker does at start
    started = time.perf_counter()
    engine.transcribe(wav, "en", settings.whisper_beam_size)
    return time.perf_counter() - started


def preview_sent(telegram: FakeTelegram, chat_id: int) -> None:
    """Wait for the draft's preview, rendered after the draft, so neither the next run nor
    the bare run after them shares the two cores with its ffmpeg."""
    telegram.wait_for(
        lambda call: call.method == "sendVideo" and int(call.params["chat_id"]) == chat_id,
        timeout=300,
    )


def status_lines(telegram: FakeTelegram, chat_id: int) -> list[tuple[float, str]]:
    return [
        (call.at, call.params["text"])
        for call in telegram.calls_to("editMessageText")
        if int(call.params["chat_id"]) == chat_id
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument(
        "--run-in",
        choices=("processes", "threads"),
        default="processes",
        help="where serve runs new notes (editorbot serve --run-in)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="bare and served runs, alternated this many times"
    )
    args = parser.parse_args()

    from editorbot.run_key import make_run_key
    from editorbot.schemas import ChatTarget, RunOptions
    from flows.local_run import LocalRun
    from flows.runs import wait_for_state
    from flows.serve import submit

    telegram = FakeTelegram(TELEGRAM_TOKEN).start()
    chat_settings = {
        "EDITORBOT_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "EDITORBOT_TELEGRAM_API_URL": telegram.api_url,
        "EDITORBOT_TELEGRAM_FILE_URL": telegram.file_url,
    }
    os.environ.update(chat_settings)  # the in-process run reports to the fake chat too
    options = RunOptions(language="en")
    note = long_note(args.minutes)
    print(f"logs and data in {HOME}", file=sys.stderr)
    stamp = time.strftime("%H%M%S")
    results = {"minutes": args.minutes, "run_in": args.run_in, "rounds": []}
    memory = PeakMemory()

    def measured(path: str, chat_id: int, run_key: str) -> dict:
        """Run the note `path`'s way (in this process, or served) up to its preview."""
        chat = ChatTarget(chat_id=chat_id, status_message_id=1000 + chat_id)
        if path == "in_process":
            submitted = time.time()
            run = LocalRun(str(note), run_key, options, chat=chat)
            run.watch(poll_s=0.5)
            run_id = run.id
            preview_sent(telegram, chat_id)
        else:
            storage = os.environ["EDITORBOT_STORAGE"]
            runner = served.runner(
                HOME, storage, memory, 2, "runner", None, run_in=args.run_in, **chat_settings
            )
            with runner:
                submitted = time.time()
                run_id = submit(str(note), run_key, options, f"bench-{run_key}", chat=chat).id
                wait_for_state(run_id, lambda s: s.is_paused(), timeout_s=3600)
                preview_sent(telegram, chat_id)
        shown = [text for _, text in status_lines(telegram, chat_id)]
        return {
            "to_draft_s": served.timings(served.history(run_id), submitted, None)["to_draft"],
            "progress_lines": [t for t in shown if "%" in t],
            "steps": served.steps(run_id, submitted),
        }

    # Bare and served alternate, so a machine that slows down or speeds up during the bench
    # weighs on both alike; the medians are compared (the same bare run varied by a third).
    bares = [bare(note)]
    try:
        with served.server(HOME, PORT, memory):
            in_process = measured("in_process", 1, make_run_key("longinprocess", stamp))
            for number in range(1, args.rounds + 1):
                run_key = make_run_key(f"longserved{number}", stamp)
                results["rounds"].append(measured("served", 10 + number, run_key))
                bares.append(bare(note))
    finally:
        telegram.stop()
    bare_s = statistics.median(bares)
    served_s = statistics.median(r["to_draft_s"] for r in results["rounds"])
    results.update(
        bare_transcription_s=bares,
        in_process=in_process | {"over_bare": in_process["to_draft_s"] / bare_s},
        served_median_s=served_s,
        served_over_bare=served_s / bare_s,
    )

    print(
        f"{args.minutes}-minute note, {args.run_in}; load average "
        + " ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    print(
        "bare transcription, model loaded and warm, between the runs: "
        + ", ".join(f"{s:.1f}" for s in bares)
        + f" s; median {bare_s:.1f} s"
    )
    print(
        "served note → draft, each round: "
        + ", ".join(
            f"{r['to_draft_s']:.1f} s ({r['to_draft_s'] / bare_s:.2f}×)" for r in results["rounds"]
        )
    )
    print(f"served median ÷ bare median: {served_s / bare_s:.2f}×   (target <= {TARGET})")
    print(f"in-process note → draft {in_process['to_draft_s']:.1f} s, "
          f"{in_process['to_draft_s'] / bare_s:.2f}× bare")  # fmt: skip
    for name, run in (("in_process", in_process), ("served, last round", results["rounds"][-1])):
        print(f"{name}: steps (start after submission, seconds):")
        for step, start, seconds in run["steps"]:
            print(f"    {start:6.1f}  {seconds:6.2f}  {step}")
        print(f"  progress shown in the chat ({len(run['progress_lines'])} edits):")
        for line in run["progress_lines"]:
            print(f"    {line}")
    out = ROOT / "bench" / "results" / "long_note.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
