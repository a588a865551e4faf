"""How long taking the transcription slot takes, inside task runs and outside, two ways.

    .venv/bin/python bench/slot_acquire.py [--times 5] [--postgres]

A Prefect server process (as the stack runs it; SQLite unless --postgres) with the
transcription limit at 1 slot; the slot taken and released --times in a row (held 1 s each)
by plain code, then by as many task runs of one flow run, first with Prefect's
`concurrency()`, then with ours (`tasks.global_slots.held_slot`, what the product uses).
Prints each acquisition's time and how many acquisitions the server answered 503 ("database
is locked" on SQLite: another write landed between the acquisition's read and its update),
which Prefect's client retries after 2 s.
"""

import argparse
import contextlib
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import prepare  # noqa: E402

HOME, PORT = prepare()  # before Prefect is imported

from prefect import flow, task  # noqa: E402
from prefect.concurrency.sync import concurrency  # noqa: E402

from bench import served  # noqa: E402
from bench.memory import PeakMemory  # noqa: E402
from flows.transcription_limit import ensure_transcription_limit  # noqa: E402
from tasks.global_slots import SLOT_LEASE_S, held_slot  # noqa: E402
from tasks.recognize_speech import TRANSCRIPTION_SLOTS  # noqa: E402


class Busy(logging.Handler):
    """Counts the server's 503s to slot acquisitions (httpx logs every response at INFO)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "increment-with-lease" in message and " 503 " in message:
            self.count += 1


def prefects_slot():
    return concurrency(TRANSCRIPTION_SLOTS, occupy=1, lease_duration=SLOT_LEASE_S, strict=False)


def our_slot():
    return held_slot(TRANSCRIPTION_SLOTS)


SLOTS = {"prefect": prefects_slot, "ours": our_slot}


def take_slot(how: str) -> float:
    """Seconds to acquire the slot; it is held 1 s, then released."""
    started = time.perf_counter()
    with SLOTS[how]():
        taken = time.perf_counter() - started
        time.sleep(1)
    return taken


take_slot_in_a_task = task(take_slot, name="take-slot")


@flow
def one_flow_run(how: str, times: int) -> list[float]:
    return [take_slot_in_a_task(how) for _ in range(times)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="the server on PostgreSQL")
    args = parser.parse_args()
    busy = Busy()
    httpx_log = logging.getLogger("httpx")
    httpx_log.addHandler(busy)
    httpx_log.setLevel(logging.INFO)
    rows = []
    with contextlib.ExitStack() as parts:
        database = None
        if args.postgres:
            from harness.stack import postgres_database

            database = parts.enter_context(postgres_database())
        parts.enter_context(served.server(HOME, PORT, PeakMemory(), database))
        ensure_transcription_limit(1)
        for how in SLOTS:
            for where in ("plain code", "task runs"):
                before = busy.count
                if where == "plain code":
                    times = [take_slot(how) for _ in range(args.times)]
                else:
                    times = one_flow_run(how, args.times)
                rows.append((how, where, times, busy.count - before))
    print(f"slot acquisition s, in order ({'PostgreSQL' if args.postgres else 'SQLite'}):")
    for how, where, times, answered_busy in rows:
        line = " ".join(f"{s:.2f}" for s in times)
        print(f"  {how:8} {where:11} {line}   (503s: {answered_busy}, total {sum(times):.2f} s)")


if __name__ == "__main__":
    main()
